"""The sentence-embedder export (export_embedder.py) on a small random BERT, in the classifier's venv:
the ONNX graph gives the transformers model's mean-pooled unit vectors, padding included, int8
within its error, and an export that is not the model is refused. The real all-MiniLM-L6-v2 export
is tested from Node (src/embeddings/minilm-onnx.test.ts)."""

import hashlib
import json
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))


def torch_installed() -> bool:
    try:
        import onnxruntime  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


NEEDS_TORCH = pytest.mark.skipif(not torch_installed() and not os.environ.get("CI"), reason="needs the classifier venv")


def small_bert(folder: Path, seed: int) -> Path:
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    torch.manual_seed(seed)
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [f"w{i}" for i in range(2995)]
    vocab = folder / "vocab.txt"
    folder.mkdir(parents=True, exist_ok=True)
    vocab.write_text("".join(w + "\n" for w in words), encoding="utf-8")
    config = BertConfig(vocab_size=3000, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64)
    BertModel(config).eval().save_pretrained(str(folder))
    # transformers 5 reads `vocab` (a dict); its old `vocab_file` was ignored, leaving 5 pieces.
    BertTokenizerFast(vocab={w: i for i, w in enumerate(words)}, do_lower_case=True).save_pretrained(str(folder))
    return folder


@NEEDS_TORCH
def test_the_export_gives_the_model_s_mean_pooled_unit_vectors(tmp_path):
    import export_embedder

    model_dir = small_bert(tmp_path / "bert", seed=0)
    meta = export_embedder.export(model_dir, tmp_path / "fp32", quantize=False, base="tiny")
    assert meta["kind"] == "sentence-embedder" and meta["dimensions"] == 32 and meta["base"] == "tiny"
    assert meta["checkedCosine"]["final"] > 0.99999
    assert meta["weightsSha256"] == hashlib.sha256((tmp_path / "fp32" / "model.onnx").read_bytes()).hexdigest()
    assert sorted(p.name for p in (tmp_path / "fp32").iterdir()) == ["embedder.json", "model.onnx", "vocab.txt"]
    assert json.loads((tmp_path / "fp32" / "embedder.json").read_text())["output"] == "embedding"
    # The vocabulary by id, one piece a line: what the Node tokenizer reads.
    assert (tmp_path / "fp32" / "vocab.txt").read_text().splitlines()[:6] == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "w0"]
    assert len((tmp_path / "fp32" / "vocab.txt").read_text().splitlines()) == 3000
    quantized = export_embedder.export(model_dir, tmp_path / "int8", quantize=True)
    assert quantized["quantized"] is True and quantized["checkedCosine"]["final"] > 0.97
    assert quantized["weightsSha256"] != meta["weightsSha256"]
    # No temporary folder is left beside the outputs.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bert", "fp32", "int8"]


@NEEDS_TORCH
def test_the_check_refuses_an_export_of_other_weights(tmp_path):
    import torch
    import export_embedder
    from transformers import BertModel

    export_embedder.export(small_bert(tmp_path / "a", seed=0), tmp_path / "out", quantize=False)
    other = BertModel.from_pretrained(str(small_bert(tmp_path / "b", seed=1))).eval()
    _, reference = export_embedder.embedder_modules(other, torch)
    with pytest.raises(RuntimeError, match="from torch's by cosine"):
        export_embedder.check_embedding(tmp_path / "out" / "model.onnx", reference, torch, min_cosine=0.99, vocab_size=3000)


def test_a_folder_without_a_model_is_refused_by_name(tmp_path, capsys):
    import export_embedder

    assert export_embedder.main([str(tmp_path), str(tmp_path / "out")]) == 2
    assert "no config.json" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
