"""A keep/drop token classifier (the LLMLingua-2 recipe), fine-tuned with torch on the CPU, reporting
as JSON lines (src/contracts/training.ts, TrainingEventSchema), exported to ONNX.

    python train.py DATA_DIR OUT_DIR CONFIG [--resume-file FILE]

DATA_DIR holds train.jsonl (and valid.jsonl): one {"words": [...], "labels": [0|1, ...]} per line
(src/training/classifier-dataset.ts). CONFIG is a JSON object with ClassifierTrainingSchema's
fields (camelCase), inline or as a file path. OUT_DIR receives checkpoint.pt (model, optimiser and
step: what a resumed run continues from), best.pt (the weights with the best validation loss) and
model/ (model.onnx with the model's own vocab.txt and classifier.json), the folder Node loads.

Stdout carries the events and nothing else. SIGTERM stops the run at the next step boundary: the
checkpoint is saved and the run ends with `done` (cancelled=true). A bad dataset line is an
`error` naming file:line, exit code 2. Training stops early when the validation loss has not
improved for `patience` evaluations; the best weights are the ones exported.

This module imports torch only once the config and the dataset have been checked, so its pure
parts are tested without waiting for torch to load.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import shutil
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import IO, Any

EXIT_BAD_INPUT = 2

DEFAULTS: dict[str, Any] = {
    # A local Hugging Face folder of a BERT-style encoder (Node passes all-MiniLM-L6-v2's).
    "baseModel": "",
    "epochs": 3,
    # 0: epochs decide; otherwise at most this many optimiser steps.
    "maxSteps": 0,
    "batchSize": 8,
    "learningRate": 5e-5,
    "weightDecay": 0.01,
    # Tokens per training window ([CLS] and [SEP] included); long examples are cut at word bounds.
    "maxSeqLength": 256,
    "seed": 0,
    "stepsPerReport": 10,
    "stepsPerEval": 50,
    # Evaluations without a better validation loss before stopping.
    "patience": 3,
    "saveEvery": 100,
    # torch's CPU threads: 1 by default, the CPU being shared with the app and other work.
    "threads": 1,
    # Cap on training windows (0: all), for quick runs.
    "maxWindows": 0,
    # Encoder layers kept from the base (0: all): 3 of MiniLM's 6 halve the time per token, and
    # matched the teacher's retention in bench/RESULTS.md (classifier-model).
    "layers": 3,
    # Export int8 weights (onnxruntime's dynamic quantisation).
    "quantize": True,
}
INT_FIELDS = ("epochs", "batchSize", "maxSeqLength", "stepsPerReport", "stepsPerEval", "patience", "saveEvery", "threads")


class InputProblem(Exception):
    """Bad input from the caller (config, dataset, resume file): an `error` event and exit code 2."""


class Emitter:
    """Writes one JSON object per line and flushes, so the Node side sees each event at once."""

    def __init__(self, stream: IO[str]):
        self.stream = stream

    def emit(self, type_: str, **fields: Any) -> None:
        event = {"type": type_, **{k: v for k, v in fields.items() if v is not None}}
        self.stream.write(json.dumps(event, allow_nan=False) + "\n")
        self.stream.flush()


def finite(value: float | None) -> float | None:
    """JSON has no NaN or infinity: a diverged loss is reported as missing, never as invalid JSON."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


# --- config ---------------------------------------------------------------------------------


def parse_config(text_or_path: str) -> dict[str, Any]:
    """ClassifierTrainingSchema's fields over its defaults; unknown fields are refused, as zod would."""
    text = text_or_path
    if not text_or_path.lstrip().startswith("{"):
        try:
            text = Path(text_or_path).read_text(encoding="utf-8")
        except OSError as error:
            raise InputProblem(f"cannot read the config {text_or_path}: {error.strerror}") from error
    try:
        given = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputProblem(f"the config is not valid JSON: {error}") from error
    if not isinstance(given, dict):
        raise InputProblem("the config must be a JSON object")
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise InputProblem(f"unknown config fields: {', '.join(unknown)}")
    config = {**DEFAULTS, **given}
    for key in INT_FIELDS:
        if not isinstance(config[key], int) or isinstance(config[key], bool) or config[key] < 1:
            raise InputProblem(f"{key} must be a positive integer, not {config[key]!r}")
    for key in ("maxSteps", "maxWindows", "layers"):
        if not isinstance(config[key], int) or isinstance(config[key], bool) or config[key] < 0:
            raise InputProblem(f"{key} must be an integer ≥ 0, not {config[key]!r}")
    if not isinstance(config["learningRate"], (int, float)) or config["learningRate"] <= 0:
        raise InputProblem(f"learningRate must be a positive number, not {config['learningRate']!r}")
    if config["maxSeqLength"] < 16 or config["maxSeqLength"] > 512:
        raise InputProblem(f"maxSeqLength must be between 16 and 512, not {config['maxSeqLength']}")
    if not isinstance(config["quantize"], bool):
        raise InputProblem(f"quantize must be true or false, not {config['quantize']!r}")
    if not isinstance(config["baseModel"], str) or not config["baseModel"]:
        raise InputProblem("baseModel must name a local model folder")
    return config


# --- dataset --------------------------------------------------------------------------------


def check_example(value: Any) -> str | None:
    """What is wrong with one example, or None. The shape src/training/classifier-dataset.ts writes."""
    if not isinstance(value, dict):
        return "expected a JSON object"
    words, labels = value.get("words"), value.get("labels")
    if not isinstance(words, list) or not words or not all(isinstance(w, str) and w for w in words):
        return 'expected "words", a non-empty array of non-empty strings'
    if not isinstance(labels, list) or not all(label in (0, 1) and not isinstance(label, bool) for label in labels):
        return 'expected "labels", an array of 0 and 1'
    if len(labels) != len(words):
        return f'"labels" has {len(labels)} entries for {len(words)} words'
    return None


def read_examples(path: Path) -> list[dict[str, Any]]:
    """Every line of a JSONL file, checked; the first bad one raises InputProblem naming file:line."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputProblem(f"cannot read {path}: {error.strerror}") from error
    examples = []
    lines = raw.split(b"\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            if number == len(lines):
                continue  # the end of the file after its last newline
            raise InputProblem(f"{path}:{number}: empty line")
        try:
            value = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise InputProblem(f"{path}:{number}: not UTF-8 ({error.reason} at byte {error.start})") from error
        except json.JSONDecodeError as error:
            raise InputProblem(f"{path}:{number}: not valid JSON: {error.msg} (column {error.colno})") from error
        problem = check_example(value)
        if problem:
            raise InputProblem(f"{path}:{number}: {problem}")
        examples.append(value)
    return examples


def load_split(data_dir: Path, name: str, required: bool) -> list[dict[str, Any]]:
    path = data_dir / f"{name}.jsonl"
    if not path.exists():
        if required:
            raise InputProblem(f"{path} does not exist")
        return []
    examples = read_examples(path)
    if required and not examples:
        raise InputProblem(f"{path} has no examples")
    return examples


def windows(
    pieces: list[list[int]], labels: list[int], max_tokens: int
) -> list[tuple[list[int], list[int]]]:
    """Cuts one example (token ids per word) into windows of at most max_tokens word pieces, at word
    bounds; every piece of a word carries the word's label. A word longer than a window is cut."""
    out: list[tuple[list[int], list[int]]] = []
    ids: list[int] = []
    tags: list[int] = []
    for word, label in zip(pieces, labels):
        word = word[:max_tokens]
        if ids and len(ids) + len(word) > max_tokens:
            out.append((ids, tags))
            ids, tags = [], []
        ids.extend(word)
        tags.extend([label] * len(word))
    if ids:
        out.append((ids, tags))
    return out


# --- resume ---------------------------------------------------------------------------------


class StopFlag:
    """Set by SIGTERM/SIGINT; read at each step boundary."""

    def __init__(self) -> None:
        self.requested = False

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._set)

    def _set(self, _signum: int, _frame: Any) -> None:
        self.requested = True


def peak_memory_gb() -> float:
    """This process's peak resident memory (Linux reports kB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024**3 if sys.platform == "darwin" else 1024**2)


# --- training -------------------------------------------------------------------------------


def train(
    data_dir: Path,
    out_dir: Path,
    config: dict[str, Any],
    resume_file: Path | None,
    events: Emitter,
    stop: StopFlag,
) -> None:
    # The dataset first: a bad line must not wait for torch to load.
    train_examples = load_split(data_dir, "train", required=True)
    valid_examples = load_split(data_dir, "valid", required=False)
    if not valid_examples:
        events.emit("log", message=f"no examples in {data_dir / 'valid.jsonl'}: training without early stopping")
    base = Path(config["baseModel"]).expanduser()
    if not (base / "config.json").exists():
        raise InputProblem(f"the base model folder {base} has no config.json")
    if resume_file is not None and not resume_file.is_file():
        raise InputProblem(f"the checkpoint to resume from, {resume_file}, does not exist")

    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    torch.set_num_threads(config["threads"])
    random.seed(config["seed"])
    torch.manual_seed(config["seed"])
    events.emit("log", message=f"loading {base.name} (torch {torch.__version__}, {config['threads']} thread(s))")
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    model = AutoModelForTokenClassification.from_pretrained(
        str(base), num_labels=2, id2label={0: "drop", 1: "keep"}, label2id={"drop": 0, "keep": 1}
    )
    if config["layers"]:
        encoder = model.base_model.encoder
        if config["layers"] > len(encoder.layer):
            raise InputProblem(f"layers is {config['layers']} but {base.name} has {len(encoder.layer)}")
        encoder.layer = encoder.layer[: config["layers"]]
        model.config.num_hidden_layers = config["layers"]
    cls, sep, pad = tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id
    room = config["maxSeqLength"] - 2

    def encode(examples: list[dict[str, Any]]) -> list[tuple[list[int], list[int]]]:
        out = []
        for ex in examples:
            pieces = tokenizer(ex["words"], add_special_tokens=False)["input_ids"]
            # A word the tokenizer turns into nothing (a control character) still has a label: skip it.
            kept = [(p, label) for p, label in zip(pieces, ex["labels"]) if p]
            out.extend(windows([p for p, _ in kept], [label for _, label in kept], room))
        return out

    train_windows = encode(train_examples)
    valid_windows = encode(valid_examples)
    random.Random(config["seed"]).shuffle(train_windows)
    if config["maxWindows"]:
        train_windows = train_windows[: config["maxWindows"]]
    batch_size = config["batchSize"]
    per_epoch = max(1, math.ceil(len(train_windows) / batch_size))
    total = per_epoch * config["epochs"]
    if config["maxSteps"]:
        total = min(total, config["maxSteps"])

    def batch_tensors(items: list[tuple[list[int], list[int]]]):
        width = max(len(ids) for ids, _ in items) + 2
        input_ids = torch.full((len(items), width), pad, dtype=torch.long)
        attention = torch.zeros((len(items), width), dtype=torch.long)
        labels = torch.full((len(items), width), -100, dtype=torch.long)
        for row, (ids, tags) in enumerate(items):
            n = len(ids)
            input_ids[row, : n + 2] = torch.tensor([cls, *ids, sep])
            attention[row, : n + 2] = 1
            labels[row, 1 : n + 1] = torch.tensor(tags)
        return input_ids, attention, labels

    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)],
            "weight_decay": config["weightDecay"],
        },
        {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    optimiser = torch.optim.AdamW(groups, lr=config["learningRate"])
    warmup = max(1, total // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )

    out_dir.mkdir(parents=True, exist_ok=True)
    checkpoint_file = out_dir / "checkpoint.pt"
    best_file = out_dir / "best.pt"
    state = {"step": 0, "best": math.inf, "bad_evals": 0, "tokens": 0}
    if resume_file is not None:
        try:
            saved = torch.load(str(resume_file), map_location="cpu", weights_only=False)
            model.load_state_dict(saved["model"])
            optimiser.load_state_dict(saved["optimiser"])
            scheduler.load_state_dict(saved["scheduler"])
            state.update(saved["state"])
        except Exception as error:  # a truncated or foreign file
            raise InputProblem(f"cannot resume from {resume_file}: {type(error).__name__}: {error}") from error

    def save() -> None:
        tmp = out_dir / "checkpoint.pt.tmp"
        torch.save(
            {
                "model": model.state_dict(),
                "optimiser": optimiser.state_dict(),
                "scheduler": scheduler.state_dict(),
                "state": dict(state),
            },
            str(tmp),
        )
        os.replace(tmp, checkpoint_file)
        events.emit("checkpoint", iter=state["step"], path=str(checkpoint_file))

    def evaluate() -> float | None:
        if not valid_windows:
            return None
        model.eval()
        total_loss, count = 0.0, 0
        with torch.no_grad():
            for i in range(0, len(valid_windows), batch_size):
                ids, attention, labels = batch_tensors(valid_windows[i : i + batch_size])
                out = model(input_ids=ids, attention_mask=attention, labels=labels)
                n = int((labels != -100).sum())
                total_loss += float(out.loss) * n
                count += n
        model.train()
        return total_loss / max(1, count)

    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    start_step = state["step"]
    # A readable name for the Train page: the PyPI MiniLM folder is deep inside .cache.
    shown = "all-MiniLM-L6-v2" if "minilm" in str(base).lower() else base.name
    events.emit(
        "start",
        runner="classifier",
        baseModel=f"{shown} token classifier" + (f", {config['layers']} layers" if config["layers"] else ""),
        totalIters=total,
        startIter=start_step,
        trainableParams=trainable,
    )
    events.emit(
        "log",
        message=f"{len(train_windows)} training windows, {len(valid_windows)} validation windows, {total} steps",
    )
    model.train()
    order = list(range(len(train_windows)))
    window_loss, window_steps, window_tokens = 0.0, 0, 0
    window_started = time.perf_counter()
    stopped_early = False
    while state["step"] < total and not stop.requested and not stopped_early:
        step = state["step"]
        epoch, offset = divmod(step, per_epoch)
        # The same order for an epoch whatever step it resumes at.
        epoch_order = order[:]
        random.Random(config["seed"] * 1000 + epoch).shuffle(epoch_order)
        items = [train_windows[i] for i in epoch_order[offset * batch_size : (offset + 1) * batch_size]]
        ids, attention, labels = batch_tensors(items)
        out = model(input_ids=ids, attention_mask=attention, labels=labels)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        scheduler.step()
        optimiser.zero_grad()
        tokens = int(attention.sum())
        state["tokens"] += tokens
        state["step"] = step + 1
        window_loss += float(out.loss)
        window_steps += 1
        window_tokens += tokens
        now = state["step"]
        if now % config["stepsPerReport"] == 0 or now == total:
            seconds = time.perf_counter() - window_started
            loss = finite(window_loss / window_steps)
            if loss is None:
                events.emit("log", message=f"step {now}: the training loss is not finite (diverged?)")
            else:
                events.emit(
                    "train",
                    iter=now,
                    loss=loss,
                    learningRate=finite(scheduler.get_last_lr()[0]),
                    tokensPerSec=finite(window_tokens / seconds) if seconds > 0 else None,
                    itersPerSec=finite(window_steps / seconds) if seconds > 0 else None,
                    trainedTokens=state["tokens"],
                    peakMemoryGb=round(peak_memory_gb(), 4),
                )
            window_loss, window_steps, window_tokens = 0.0, 0, 0
            window_started = time.perf_counter()
        if now % config["stepsPerEval"] == 0 or now == total:
            val = evaluate()
            if val is not None:
                if finite(val) is not None:
                    events.emit("val", iter=now, loss=val)
                if val < state["best"] - 1e-4:
                    state["best"] = val
                    state["bad_evals"] = 0
                    torch.save(model.state_dict(), str(best_file))
                else:
                    state["bad_evals"] += 1
                    if state["bad_evals"] >= config["patience"] and now < total:
                        events.emit(
                            "log",
                            message=f"stopping early at step {now}: no better validation loss for {config['patience']} evaluations (best {state['best']:.4f})",
                        )
                        stopped_early = True
        if now % config["saveEvery"] == 0 and now < total:
            save()

    cancelled = stop.requested and state["step"] < total and not stopped_early
    save()
    if cancelled:
        events.emit("done", iter=state["step"], adapterPath=str(checkpoint_file), cancelled=True)
        return
    if best_file.exists():
        model.load_state_dict(torch.load(str(best_file), map_location="cpu"))
    model_dir = out_dir / "model"
    export_onnx(model, tokenizer, model_dir, config, state, torch)
    events.emit("log", message=f"exported {model_dir / 'model.onnx'}")
    events.emit("done", iter=state["step"], adapterPath=str(model_dir), cancelled=False)


def classic_encode(bert: Any, heads: int, input_ids: Any, attention_mask: Any, torch: Any) -> Any:
    """A BERT encoder's last hidden states ([batch, tokens, hidden]) computed as the classic graph: an
    additive mask, an explicit softmax, exact GELU and no masking helpers. transformers 5 builds its
    masks with Where/IsNaN over the whole [batch, heads, tokens, tokens] score tensor, which
    onnxruntime runs as separate passes: about a sixth of the time per token. Same weights, same
    outputs (each export checks it against the model itself)."""
    emb = bert.embeddings
    positions = torch.arange(input_ids.shape[1], dtype=torch.long).unsqueeze(0)
    x = emb.word_embeddings(input_ids) + emb.position_embeddings(positions)
    x = emb.LayerNorm(x + emb.token_type_embeddings(torch.zeros_like(input_ids)))
    bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
    hidden = x.shape[-1]
    size = hidden // heads
    for layer in bert.encoder.layer:
        att = layer.attention

        def split(t):
            return t.view(t.shape[0], t.shape[1], heads, size).transpose(1, 2)

        q, k, v = split(att.self.query(x)), split(att.self.key(x)), split(att.self.value(x))
        probs = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * (size**-0.5) + bias, dim=-1)
        ctx = torch.matmul(probs, v).transpose(1, 2).reshape(x.shape[0], x.shape[1], hidden)
        x = att.output.LayerNorm(att.output.dense(ctx) + x)
        x = layer.output.LayerNorm(layer.output.dense(layer.intermediate(x)) + x)
    return x


def classic_bert(model: Any, torch: Any) -> Any:
    """The token classifier on `classic_encode`: the keep probability per token."""

    class ClassicBert(torch.nn.Module):
        def __init__(self, inner: Any):
            super().__init__()
            self.bert = inner.base_model
            self.classifier = inner.classifier
            self.heads = inner.config.num_attention_heads

        def forward(self, input_ids, attention_mask):
            x = classic_encode(self.bert, self.heads, input_ids, attention_mask, torch)
            return torch.softmax(self.classifier(x), dim=-1)[..., 1]

    return ClassicBert(model).eval()


def export_onnx(model: Any, tokenizer: Any, model_dir: Path, config: dict[str, Any], state: dict, torch: Any) -> None:
    """model.onnx: input_ids and attention_mask ([batch, tokens], int64) in, the keep probability per
    token ([batch, tokens], float32) out; beside it the vocabulary it was trained with."""

    class KeepProbability(torch.nn.Module):
        def __init__(self, inner: Any):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            logits = self.inner(input_ids=input_ids, attention_mask=attention_mask).logits
            return torch.softmax(logits, dim=-1)[..., 1]

    tmp = model_dir.with_name(model_dir.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    model.eval()
    reference = KeepProbability(model).eval()
    sample = (torch.ones((1, 8), dtype=torch.long), torch.ones((1, 8), dtype=torch.long))
    full = tmp / "model.fp32.onnx"
    names = {"input_names": ["input_ids", "attention_mask"], "output_names": ["keep"], "verbose": False}
    if model.config.model_type == "bert":
        # The classic graph through the TorchScript exporter: it has no masking helpers to trace, and
        # onnxruntime runs its trace about 12 % faster than the dynamo exporter's graph of the same
        # module (the dynamo graph's layer norms fuse into a slower SkipLayerNormalization).
        torch.onnx.export(
            classic_bert(model, torch),
            sample,
            str(full),
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in ("input_ids", "attention_mask", "keep")},
            opset_version=17,
            dynamo=False,
            **names,
        )
    else:
        # The dynamo exporter: the TorchScript one cannot trace transformers 5's attention masks.
        torch.onnx.export(
            reference,
            sample,
            str(full),
            dynamic_shapes=({0: "batch", 1: "tokens"}, {0: "batch", 1: "tokens"}),
            dynamo=True,
            external_data=False,
            **names,
        )
    check_onnx(full, reference, torch, tolerance=1e-4)
    if config["quantize"]:
        # int8 weights: about twice as fast on the CPU and a quarter of the size. One scale per output
        # channel: the keep probabilities move by 0.01 on average against torch's, not 0.025.
        quantize_int8(full, tmp / "model.onnx")
        full.unlink()
    else:
        os.replace(full, tmp / "model.onnx")
    check_onnx(tmp / "model.onnx", reference, torch, tolerance=0.25)
    tokenizer.save_pretrained(str(tmp))
    # The WordPiece vocabulary by id, one piece a line: what the Node tokenizer reads.
    vocab = sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])
    (tmp / "vocab.txt").write_text("".join(piece + "\n" for piece, _ in vocab), encoding="utf-8")
    meta = {
        "version": 1,
        "kind": "token-classifier",
        "base": config["baseModel"],
        "maxSeqLength": config["maxSeqLength"],
        "layers": model.config.num_hidden_layers,
        "quantized": config["quantize"],
        "doLowerCase": bool(getattr(tokenizer, "do_lower_case", True)),
        "steps": state["step"],
        "bestValLoss": finite(state["best"]) if math.isfinite(state["best"]) else None,
        "inputs": ["input_ids", "attention_mask"],
        "output": "keep",
    }
    (tmp / "classifier.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    if model_dir.exists():
        shutil.rmtree(model_dir)
    os.replace(tmp, model_dir)


def quantize_int8(source: Path, target: Path) -> None:
    """onnxruntime's dynamic quantisation: int8 weights, one scale per output channel."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(source),
        str(target),
        weight_type=QuantType.QInt8,
        per_channel=True,
        # The TorchScript trace leaves some shapes to infer at run time; every tensor is float32.
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def check_onnx(path: Path, reference: Any, torch: Any, tolerance: float) -> None:
    """The export loads in onnxruntime and gives one probability per token, the torch model's within
    `tolerance` (fp32: rounding only; int8: the quantisation's error), padding included."""
    import numpy as np
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ids = np.array([[101, 2000, 2001, 2002, 2003, 102], [101, 2004, 2005, 102, 0, 0]], dtype=np.int64)
    mask = (np.arange(6)[None, :] < np.array([[6], [4]])).astype(np.int64)
    (keep,) = session.run(["keep"], {"input_ids": ids, "attention_mask": mask})
    if keep.shape != (2, 6) or not np.all((keep >= 0) & (keep <= 1)):
        raise RuntimeError(f"the exported model gives {keep.shape} for 2 x 6 tokens, not one probability each")
    with torch.no_grad():
        expected = reference(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
    gap = float(np.abs(keep - expected)[mask.astype(bool)].max())
    if gap > tolerance:
        raise RuntimeError(f"the exported model differs from torch's by {gap:.4f} (more than {tolerance})")


# --- entry point ----------------------------------------------------------------------------


def take_stdout() -> IO[str]:
    """Stdout for the events only: fd 1 is re-pointed at stderr for everything else (warnings, C code)."""
    events_fd = os.dup(1)
    os.dup2(2, 1)
    return os.fdopen(events_fd, "w", encoding="utf-8", buffering=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("config", help="a JSON object, or the path of a JSON file")
    parser.add_argument("--resume-file", type=Path)
    args = parser.parse_args(argv)
    events = Emitter(take_stdout())
    stop = StopFlag()
    stop.install()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    started = time.perf_counter()
    try:
        config = parse_config(args.config)
        train(args.data_dir, args.out_dir, config, args.resume_file, events, stop)
    except InputProblem as problem:
        events.emit("error", message=str(problem))
        return EXIT_BAD_INPUT
    except Exception as error:
        traceback.print_exc()
        events.emit("error", message=f"{type(error).__name__}: {error}")
        return 1
    print(f"train.py finished in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
