"""The MLX driver's pure-Python parts: config, dataset checks, events, resume state.

Runs in .venv-test (pytest only, no mlx): train.py imports mlx only once the dataset has been
checked. The real training run is tested from Node (src/training/mlx.test.ts).
"""

import json
import math
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import train  # noqa: E402

GOOD = {
    "messages": [
        {"role": "system", "content": "Compress."},
        {"role": "user", "content": "In order to log in, you need a password."},
        {"role": "assistant", "content": "Log in with a password."},
    ]
}


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_config_takes_defaults_and_refuses_unknown_fields(tmp_path):
    config = train.parse_config('{"iters": 5, "lora": {"rank": 4}}')
    assert config["iters"] == 5
    assert config["lora"] == {"rank": 4, "layers": 16, "scale": 20.0, "dropout": 0.0}
    assert config["batchSize"] == train.DEFAULTS["batchSize"]
    file = tmp_path / "c.json"
    file.write_text('{"seed": 3}')
    assert train.parse_config(str(file))["seed"] == 3
    with pytest.raises(train.InputProblem, match="unknown config fields: itres"):
        train.parse_config('{"itres": 5}')
    with pytest.raises(train.InputProblem, match="iters must be a positive integer"):
        train.parse_config('{"iters": 0}')
    with pytest.raises(train.InputProblem, match="not valid JSON"):
        train.parse_config("{nope")


def test_a_good_file_reads_every_example(tmp_path):
    path = write_jsonl(tmp_path / "train.jsonl", [json.dumps(GOOD)] * 3)
    assert len(train.read_examples(path)) == 3


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"messages": [', "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"text": "hi"}', 'expected a non-empty "messages" array'),
        ('{"messages": [{"role": "robot", "content": "x"}]}', "messages[0].role is 'robot'"),
        ('{"messages": [{"role": "user", "content": 3}]}', "messages[0].content must be a string"),
        ('{"messages": [{"role": "user", "content": "x"}]}', "the last message must be the assistant's"),
        ("", "empty line"),
    ],
)
def test_a_bad_line_is_named_with_its_file_and_number(tmp_path, line, problem):
    path = write_jsonl(tmp_path / "train.jsonl", [json.dumps(GOOD), line, json.dumps(GOOD)])
    with pytest.raises(train.InputProblem) as caught:
        train.read_examples(path)
    assert str(caught.value).startswith(f"{path}:2: ")
    assert problem in str(caught.value)


def test_bytes_that_are_not_utf8_are_named(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_bytes(json.dumps(GOOD).encode() + b"\n\xff\xfe\n")
    with pytest.raises(train.InputProblem, match=r"train\.jsonl:2: not UTF-8"):
        train.read_examples(path)


def test_a_split_smaller_than_the_batch_is_refused_and_a_missing_valid_split_allowed(tmp_path):
    write_jsonl(tmp_path / "train.jsonl", [json.dumps(GOOD)] * 2)
    with pytest.raises(train.InputProblem, match="has 2 examples, fewer than the batch size 4"):
        train.load_split(tmp_path, "train", 4, required=True)
    assert train.load_split(tmp_path, "valid", 4, required=False) == []
    with pytest.raises(train.InputProblem, match="does not exist"):
        train.load_split(tmp_path, "test", 1, required=True)


def test_events_are_one_json_object_per_line_without_missing_fields():
    out = StringIO()
    events = train.Emitter(out)
    events.emit("train", iter=1, loss=2.5, learningRate=None)
    events.emit("log", message="hello")
    lines = out.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"type": "train", "iter": 1, "loss": 2.5},
        {"type": "log", "message": "hello"},
    ]
    assert train.finite(math.nan) is None and train.finite(math.inf) is None and train.finite(1) == 1.0


def test_resume_reads_the_iteration_from_a_checkpoint_name_or_progress_json(tmp_path):
    checkpoint = tmp_path / "0000007_adapters.safetensors"
    checkpoint.write_bytes(b"x")
    assert train.resume_point(checkpoint) == {"iter": 7, "trainedTokens": 0}
    adapters = tmp_path / "adapters.safetensors"
    adapters.write_bytes(b"x")
    with pytest.raises(train.InputProblem, match="no progress.json"):
        train.resume_point(adapters)
    train.write_progress(tmp_path, 7, 420, 10)
    assert train.resume_point(adapters) == {"iter": 7, "trainedTokens": 420}
    assert train.resume_point(checkpoint) == {"iter": 7, "trainedTokens": 420}
    with pytest.raises(train.InputProblem, match="does not exist"):
        train.resume_point(tmp_path / "gone.safetensors")


def test_the_stop_flag_is_set_by_sigterm():
    flag = train.StopFlag()
    flag._set(15, None)
    assert flag.requested


def test_the_driver_reports_a_corrupt_line_as_one_error_event_and_exits_2(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    write_jsonl(data / "train.jsonl", [json.dumps(GOOD), '{"messages": [}', json.dumps(GOOD)])
    script = Path(__file__).with_name("train.py")
    config = json.dumps({"baseModel": str(tmp_path / "no-model"), "batchSize": 1})
    result = subprocess.run(
        [sys.executable, str(script), str(data), str(tmp_path / "out"), config],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == train.EXIT_BAD_INPUT
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(events) == 1 and events[0]["type"] == "error"
    assert events[0]["message"].startswith(f"{data / 'train.jsonl'}:2: not valid JSON")
