"""The memory adapter (memory_adapter.py) on a small random BERT, in the classifier's venv: training
moves each question's evidence up among the memory's units, merging gives the vectors the adapter
gives while it is attached, and a broken data file or an adapter for another model is refused by name."""

import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from test_export_embedder import NEEDS_TORCH, small_bert  # noqa: E402


def synthetic_memory(n_units: int = 40, n_questions: int = 12, seed: int = 3) -> dict:
    """Units and questions in disjoint vocabularies: only training can tie a question to its unit."""
    import random

    rng = random.Random(seed)
    units = [" ".join(f"w{rng.randrange(100, 2000)}" for _ in range(6)) for _ in range(n_units)]
    questions = []
    for j in range(n_questions):
        questions.append({"q": f"w{2100 + 3 * j} w{2101 + 3 * j} w{2102 + 3 * j}", "evidence": [rng.randrange(n_units)]})
    return {"units": units, "questions": questions}


def mean_evidence_rank(model, tokenizer, conv: dict) -> float:
    import torch

    import memory_adapter

    with torch.no_grad():
        vecs = memory_adapter.encode(model, tokenizer, conv["units"], torch)
        ranks = []
        for q in conv["questions"]:
            sims = vecs @ memory_adapter.encode(model, tokenizer, [q["q"]], torch)[0]
            order = torch.argsort(sims, descending=True).tolist()
            ranks.append(order.index(q["evidence"][0]))
    return sum(ranks) / len(ranks)


@NEEDS_TORCH
def test_training_moves_each_question_s_evidence_up_and_merging_keeps_what_it_learned(tmp_path):
    import torch
    from transformers import AutoModel, AutoTokenizer

    import memory_adapter

    model_dir = small_bert(tmp_path / "bert", seed=0)
    conv = synthetic_memory()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    stock = AutoModel.from_pretrained(str(model_dir)).eval()
    before = mean_evidence_rank(stock, tokenizer, conv)

    tensors = memory_adapter.train(model_dir, [conv], rank=4, epochs=40, lr=1e-2, seed=0)
    assert set(tensors) == {f"{k}.{x}" for k, _ in memory_adapter.adapter_keys(stock) for x in ("A", "B")}
    adapter = tmp_path / "adapter.safetensors"
    memory_adapter.save_adapter(adapter, tensors, {"rank": "4"})

    merged = AutoModel.from_pretrained(str(model_dir)).eval()
    assert memory_adapter.merge(merged, adapter) == {"rank": "4"}
    after = mean_evidence_rank(merged, tokenizer, conv)
    # 40 units: a random rank is ~20; the trained one puts the evidence near the top.
    assert before > 8 and after < before / 3, (before, after)

    # The merged weights give the vectors of the stock model with the (fp16-saved) update attached.
    hooked = AutoModel.from_pretrained(str(model_dir)).eval()
    for key, lin in memory_adapter.adapter_keys(hooked):
        a, b = tensors[f"{key}.A"].half().float(), tensors[f"{key}.B"].half().float()
        lin.register_forward_hook(lambda mod, inp, out, a=a, b=b: out + (inp[0] @ a.T) @ b.T)
    with torch.no_grad():
        x = memory_adapter.encode(hooked, tokenizer, conv["units"][:8], torch)
        y = memory_adapter.encode(merged, tokenizer, conv["units"][:8], torch)
    assert torch.allclose(x, y, atol=1e-4)

    # The command line writes a Hugging Face folder the export reads.
    assert memory_adapter.main(["merge", str(model_dir), str(adapter), str(tmp_path / "merged")]) == 0
    again = AutoModel.from_pretrained(str(tmp_path / "merged")).eval()
    with torch.no_grad():
        z = memory_adapter.encode(again, tokenizer, conv["units"][:8], torch)
    assert torch.allclose(y, z, atol=1e-6)


@NEEDS_TORCH
def test_an_adapter_for_another_model_is_refused_by_name(tmp_path):
    from transformers import AutoModel

    import memory_adapter

    small = small_bert(tmp_path / "small", seed=0)
    tensors = memory_adapter.train(small, [synthetic_memory(12, 3)], rank=2, epochs=1, lr=1e-3, seed=0)
    path = tmp_path / "a.safetensors"
    memory_adapter.save_adapter(path, tensors, {})
    other = AutoModel.from_pretrained(str(small))
    other.encoder.layer = other.encoder.layer[:1]
    with pytest.raises(SystemExit, match="a.safetensors: not an adapter for this model"):
        memory_adapter.merge(other, path)


def test_a_broken_data_file_is_refused_naming_the_question(tmp_path):
    import memory_adapter

    path = tmp_path / "data.json"
    path.write_text(json.dumps({"convs": [{"units": ["a", "b"], "questions": [{"q": "x", "evidence": [0]}, {"q": "y", "evidence": [5]}]}]}))
    with pytest.raises(SystemExit, match=r"convs\[0\]\.questions\[1\] needs .* under 2"):
        memory_adapter.load_data(path, None)
    with pytest.raises(SystemExit, match="no conversation 3"):
        path.write_text(json.dumps({"convs": [{"units": ["a"], "questions": []}]}))
        memory_adapter.load_data(path, [3])
    path.write_text("{}")
    with pytest.raises(SystemExit, match='no "convs" list'):
        memory_adapter.load_data(path, None)


@NEEDS_TORCH
def test_the_export_folds_the_adapter_in_and_names_it(tmp_path):
    import hashlib

    import numpy as np
    import onnxruntime as ort
    import torch
    from transformers import AutoModel, AutoTokenizer

    import export_embedder
    import memory_adapter

    model_dir = small_bert(tmp_path / "bert", seed=1)
    conv = synthetic_memory(16, 4)
    adapter = tmp_path / "memory.safetensors"
    memory_adapter.save_adapter(adapter, memory_adapter.train(model_dir, [conv], rank=2, epochs=3, lr=1e-2, seed=0), {"rank": "2"})
    meta = export_embedder.export(model_dir, tmp_path / "out", quantize=False, adapter=adapter)
    assert meta["adapter"] == {"file": "memory.safetensors", "sha256": hashlib.sha256(adapter.read_bytes()).hexdigest(), "rank": "2"}
    plain = export_embedder.export(model_dir, tmp_path / "plain", quantize=False)
    assert "adapter" not in plain and plain["weightsSha256"] != meta["weightsSha256"]

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    merged = AutoModel.from_pretrained(str(model_dir)).eval()
    memory_adapter.merge(merged, adapter)
    with torch.no_grad():
        want = memory_adapter.encode(merged, tokenizer, conv["units"][:4], torch).numpy()
    enc = tokenizer(conv["units"][:4], padding=True, return_tensors="np")
    session = ort.InferenceSession(str(tmp_path / "out" / "model.onnx"))
    got = session.run(["embedding"], {"input_ids": enc["input_ids"].astype(np.int64), "attention_mask": enc["attention_mask"].astype(np.int64)})[0]
    assert np.allclose(got, want, atol=1e-5)
    assert export_embedder.main([str(model_dir), str(tmp_path / "x"), "--adapter", str(tmp_path / "missing.safetensors")]) == 2
