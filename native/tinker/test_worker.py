"""Tests for the Tinker worker.

Two kinds:
- dataset, config and model-choice checks that need only the standard library: they run in any
  Python, CI's `.venv-test` included;
- runs of the worker as a child process against the stand-ins of fake_tinker.py (`--fake-service`),
  in the Tinker venv (.cache/training/tinker-venv, or the Python in STUDIO_TINKER_PYTHON): the
  real cookbook renderer, datum building, adapter download and PEFT conversion. Skipped, with
  the reason, where that venv does not exist.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import worker  # noqa: E402 (imports nothing from the Tinker venv at module level)

ROOT = HERE.parent.parent


def tinker_python() -> str | None:
    candidates = [os.environ.get("STUDIO_TINKER_PYTHON"), str(ROOT / ".cache/training/tinker-venv/bin/python")]
    return next((c for c in candidates if c and Path(c).exists()), None)


needs_venv = pytest.mark.skipif(
    tinker_python() is None and not os.environ.get("CI"), reason="no Tinker venv (.cache/training/tinker-venv): src/training/tinker.ts builds it"
)


def conversation(i: int) -> dict:
    return {
        "messages": [
            {"role": "system", "content": "You compress prose. Keep every fact."},
            {"role": "user", "content": f"This is the rather long and wordy original paragraph number {i}."},
            {"role": "assistant", "content": f"Long paragraph {i}."},
        ]
    }


def write_split(path: Path, rows: list, extra_lines: list[str] = ()) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(r) for r in rows] + list(extra_lines)
    path.write_text("".join(line + "\n" for line in lines))
    return path


# ------------------------------------------------------------ plain Python


def test_reads_conversations_and_skips_blank_lines(tmp_path: Path) -> None:
    path = write_split(tmp_path / "train.jsonl", [conversation(1)], ["", json.dumps(conversation(2))])
    rows = worker.read_conversations(path)
    assert len(rows) == 2
    assert [m["role"] for m in rows[0]] == ["system", "user", "assistant"]


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("{not json", "not valid JSON"),
        ('{"text": "no messages"}', '{"messages": [...]}'),
        ('{"messages": [{"role": "robot", "content": "x"}]}', "role must be one of"),
        ('{"messages": [{"role": "user", "content": 3}]}', "content must be a string"),
        ('{"messages": [{"role": "user", "content": "only a question"}]}', "last message must be the assistant"),
    ],
)
def test_a_bad_line_is_named_by_file_and_line(tmp_path: Path, line: str, says: str) -> None:
    path = write_split(tmp_path / "train.jsonl", [conversation(1), conversation(2)], [line])
    with pytest.raises(worker.InputProblem) as caught:
        worker.read_conversations(path)
    assert f"{path}:3:" in str(caught.value)
    assert says in str(caught.value)


def test_a_missing_train_split_says_to_export(tmp_path: Path) -> None:
    with pytest.raises(worker.InputProblem, match="export a dataset first"):
        worker.load_splits(tmp_path)


def test_config_takes_the_contract_names_and_refuses_others() -> None:
    config = worker.TinkerConfig.from_json('{"baseModel": "Qwen/Qwen3-8B", "loraRank": 8, "batchSize": 2}')
    assert (config.base_model, config.lora_rank, config.batch_size, config.epochs) == ("Qwen/Qwen3-8B", 8, 2, 1)
    with pytest.raises(worker.InputProblem, match="unknown keys: rank"):
        worker.TinkerConfig.from_json('{"rank": 8}')
    with pytest.raises(worker.InputProblem, match="batch_size must be a positive integer"):
        worker.TinkerConfig.from_json('{"batchSize": 0}')


def test_model_choice_prefers_the_named_model_then_the_preference_list() -> None:
    available = ["meta-llama/Llama-3.1-8B", "Qwen/Qwen3-8B", "Qwen/Qwen3-32B"]
    assert worker.choose_model(available, "Qwen/Qwen3-32B", ["Qwen/Qwen3-8B"]) == "Qwen/Qwen3-32B"
    assert worker.choose_model(available, "", ["Qwen/Qwen3-4B", "Qwen/Qwen3-8B"]) == "Qwen/Qwen3-8B"
    with pytest.raises(worker.InputProblem) as caught:
        worker.choose_model(available, "", ["Qwen/Qwen3-4B"])
    assert "meta-llama/Llama-3.1-8B, Qwen/Qwen3-8B, Qwen/Qwen3-32B" in str(caught.value)
    with pytest.raises(worker.InputProblem, match="Qwen/Qwen9 is not offered"):
        worker.choose_model(available, "Qwen/Qwen9", [])


# ------------------------------------------------------------ the worker process, fake service


def run_worker(tmp_path: Path, config: dict, *, env: dict | None = None, fake: bool = True, timeout: float = 300):
    python = tinker_python()
    assert python
    args = [python, str(HERE / "worker.py"), "--data-dir", str(tmp_path / "data"), "--out-dir", str(tmp_path / "out")]
    args += ["--config", json.dumps(config)] + (["--fake-service"] if fake else [])
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("TINKER_", "FAKE_TINKER_"))}
    full_env.update(env or {})
    return subprocess.run(args, capture_output=True, text=True, env=full_env, timeout=timeout, check=False)


def events_of(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    write_split(tmp_path / "data" / "train.jsonl", [conversation(i) for i in range(12)])
    write_split(tmp_path / "data" / "valid.jsonl", [conversation(100 + i) for i in range(3)])
    return tmp_path / "data"


@needs_venv
def test_trains_streams_events_and_converts_the_adapter(tmp_path: Path, dataset: Path) -> None:
    result = run_worker(tmp_path, {"batchSize": 3, "epochs": 2, "saveEvery": 3, "loraRank": 4})
    assert result.returncode == 0, result.stderr[-3000:]
    events = events_of(result.stdout)
    kinds = [e["type"] for e in events]
    assert kinds.count("start") == 1 and kinds[-1] == "done"
    start = next(e for e in events if e["type"] == "start")
    assert start == {"type": "start", "runner": "tinker", "baseModel": "Qwen/Qwen3-8B", "totalIters": 8, "startIter": 0}
    train = [e for e in events if e["type"] == "train"]
    assert [e["iter"] for e in train] == list(range(1, 9))
    assert train[-1]["loss"] < train[0]["loss"]
    assert all(e["tokensPerSec"] > 0 and e["learningRate"] > 0 for e in train)
    assert train[0]["learningRate"] > train[-1]["learningRate"]  # the cookbook's linear decay
    checkpoints = [e["path"] for e in events if e["type"] == "checkpoint"]
    assert checkpoints[:2] == ["tinker://fake-run-0001/weights/step-000003", "tinker://fake-run-0001/weights/step-000006"]
    assert "tinker://fake-run-0001/sampler_weights/final" in checkpoints
    assert [e["iter"] for e in events if e["type"] == "val"] == [0, 3, 6, 8]
    done = events[-1]
    assert done["cancelled"] is False and done["iter"] == 8
    out = tmp_path / "out"
    assert done["adapterPath"] == str(out / "adapter")
    assert (out / "adapter" / "adapter_model.safetensors").exists()
    peft = json.loads((out / "peft" / "adapter_config.json").read_text())
    assert peft["peft_type"] == "LORA" and peft["r"] == 4
    assert {"q_proj", "v_proj", "down_proj"} <= set(peft["target_modules"])


@needs_venv
def test_loss_weights_cover_the_assistant_turn_only(tmp_path: Path) -> None:
    # The renderer the worker uses, on the fake service's tokenizer: weighted tokens decode to
    # the assistant's text (and its end-of-turn token), nothing from the system or user turns.
    script = f"""
import sys; sys.path.insert(0, {str(HERE)!r})
import fake_tinker, worker
from pathlib import Path
service = fake_tinker.FakeServiceClient(["Qwen/Qwen3-8B"], Path({str(tmp_path)!r}))
from tinker_cookbook import renderers
renderer = renderers.get_renderer("qwen3", service.tokenizer())
rows = [[{{"role": "system", "content": "SYS"}}, {{"role": "user", "content": "USER TEXT"}}, {{"role": "assistant", "content": "SHORT"}}]]
datum = worker.build_datums(rows, renderer, 4096)[0]
targets = datum.loss_fn_inputs["target_tokens"].data
weights = datum.loss_fn_inputs["weights"].data
print(service.tokenizer().decode([t for t, w in zip(targets, weights) if w > 0]))
"""
    python = tinker_python()
    assert python
    result = subprocess.run([python, "-c", script], capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    trained = result.stdout.strip().splitlines()[-1]
    assert "SHORT" in trained
    assert "USER" not in trained and "SYS" not in trained


@needs_venv
def test_picks_the_first_preferred_model_the_server_offers(tmp_path: Path, dataset: Path) -> None:
    env = {"FAKE_TINKER_MODELS": "meta-llama/Llama-3.1-8B,Qwen/Qwen3-8B"}
    config = {"preferModels": ["Qwen/Qwen3-32B", "meta-llama/Llama-3.1-8B"], "batchSize": 12, "saveEvery": 5}
    result = run_worker(tmp_path, config, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    start = next(e for e in events_of(result.stdout) if e["type"] == "start")
    assert start["baseModel"] == "meta-llama/Llama-3.1-8B"


@needs_venv
def test_an_unavailable_model_lists_what_is_available(tmp_path: Path, dataset: Path) -> None:
    result = run_worker(tmp_path, {"baseModel": "Qwen/Qwen3-999B"}, env={"FAKE_TINKER_MODELS": "Qwen/Qwen3-8B"})
    assert result.returncode == 2
    (error,) = [e for e in events_of(result.stdout) if e["type"] == "error"]
    assert "Qwen/Qwen3-999B is not offered" in error["message"] and "available: Qwen/Qwen3-8B" in error["message"]


@needs_venv
def test_a_corrupt_line_is_an_error_naming_file_and_line(tmp_path: Path, dataset: Path) -> None:
    write_split(dataset / "train.jsonl", [conversation(1), conversation(2)], ['{"messages": [oops'])
    result = run_worker(tmp_path, {})
    assert result.returncode == 2
    events = events_of(result.stdout)
    assert [e["type"] for e in events] == ["error"]
    assert f"{dataset / 'train.jsonl'}:3: not valid JSON" in events[0]["message"]


@needs_venv
def test_without_a_key_the_real_client_is_never_built(tmp_path: Path, dataset: Path) -> None:
    result = run_worker(tmp_path, {"apiKeyEnv": "TINKER_TEST_KEY"}, fake=False)
    assert result.returncode == 2
    assert events_of(result.stdout) == [{"type": "error", "message": "no Tinker API key: set TINKER_TEST_KEY"}]


@needs_venv
def test_a_server_failure_is_an_error_event_and_exit_1(tmp_path: Path, dataset: Path) -> None:
    result = run_worker(tmp_path, {"batchSize": 3}, env={"FAKE_TINKER_FAIL_AT_STEP": "2"})
    assert result.returncode == 1
    events = events_of(result.stdout)
    assert [e["iter"] for e in events if e["type"] == "train"] == [1]
    assert "500 Internal Server Error at step 2" in events[-1]["message"]
    assert "Traceback" in result.stderr


@needs_venv
def test_sigterm_stops_at_the_next_step_and_keeps_the_state(tmp_path: Path, dataset: Path) -> None:
    python = tinker_python()
    assert python
    config = {"batchSize": 1, "epochs": 5, "saveEvery": 1000}
    args = [python, str(HERE / "worker.py"), "--data-dir", str(dataset), "--out-dir", str(tmp_path / "out")]
    env = {**os.environ, "FAKE_TINKER_STEP_SECONDS": "0.2"}
    proc = subprocess.Popen(
        [*args, "--config", json.dumps(config), "--fake-service"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout
    seen: list[dict] = []
    deadline = time.monotonic() + 120
    for line in proc.stdout:
        seen.append(json.loads(line))
        if seen[-1]["type"] == "train" and seen[-1]["iter"] == 2:
            proc.send_signal(signal.SIGTERM)
            break
        assert time.monotonic() < deadline
    out, err = proc.communicate(timeout=120)
    seen += events_of(out)
    assert proc.returncode == 0, err[-3000:]
    done = seen[-1]
    assert done["type"] == "done" and done["cancelled"] is True
    assert 2 <= done["iter"] <= 3  # the step in flight finishes, no further one starts
    assert done["adapterPath"] == f"tinker://fake-run-0001/weights/step-{done['iter']:06d}"
    assert seen[-2] == {"type": "checkpoint", "iter": done["iter"], "path": done["adapterPath"]}
    assert not (tmp_path / "out" / "adapter").exists()
