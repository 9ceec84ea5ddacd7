"""LoRA fine-tuning with mlx-lm, reporting as JSON lines (src/contracts/training.ts, TrainingEventSchema).

    python train.py DATA_DIR OUT_DIR CONFIG [--resume-adapter-file FILE]

DATA_DIR holds train.jsonl (and valid.jsonl) in chat format, one {"messages": [...]} per line.
CONFIG is a JSON object with LocalTrainingSchema's fields (camelCase), inline or as a file path.
OUT_DIR receives adapters.safetensors, adapter_config.json (what `mlx_lm fuse` reads),
NNNNNNN_adapters.safetensors checkpoints and progress.json (the iteration they reached).

Stdout carries the events and nothing else: everything mlx-lm prints goes to stderr. mlx-lm's
own `train()` runs in-process; this driver only hooks the two places it offers: the training
callback (loss reports) and the batch iterator, whose every request for a batch is a step
boundary: that is where checkpoints are saved and where SIGTERM stops the run (the adapter saved,
`done` with cancelled=true). A bad dataset line is an `error` naming file:line, exit code 2.

This module imports nothing from mlx at the top, so its pure parts (config, dataset validation,
events, resume state) are tested without mlx installed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import IO, Any

EXIT_BAD_INPUT = 2

DEFAULTS: dict[str, Any] = {
    "baseModel": "mlx-community/Qwen3-4B-Instruct-2507-4bit",
    "lora": {"rank": 8, "layers": 16, "scale": 20.0, "dropout": 0.0},
    "iters": 600,
    "batchSize": 4,
    "learningRate": 1e-5,
    "maxSeqLength": 2048,
    "seed": 0,
    "stepsPerReport": 10,
    "stepsPerEval": 100,
    "valBatches": 25,
    "saveEvery": 100,
    "gradCheckpoint": False,
}
ROLES = ("system", "user", "assistant")
CHECKPOINT_RE = re.compile(r"^(\d+)_adapters\.safetensors$")


class InputProblem(Exception):
    """Bad input from the caller (config, dataset, resume file): an `error` event and exit code 2."""


class Emitter:
    """Writes one JSON object per line and flushes, so the Node side sees each event at once."""

    def __init__(self, stream: IO[str]):
        self.stream = stream

    def emit(self, type_: str, **fields: Any) -> None:
        event = {"type": type_, **{k: v for k, v in fields.items() if v is not None}}
        self.stream.write(json.dumps(event, allow_nan=False, default=_plain) + "\n")
        self.stream.flush()


def _plain(value: Any) -> Any:
    """mlx and numpy scalars as plain numbers."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def finite(value: float | None) -> float | None:
    """JSON has no NaN or infinity: a diverged loss is reported as missing, never as invalid JSON."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


# --- config ---------------------------------------------------------------------------------


def parse_config(text_or_path: str) -> dict[str, Any]:
    """LocalTrainingSchema's fields over its defaults; unknown fields are refused, as zod would."""
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
    lora = config["lora"]
    if not isinstance(lora, dict) or set(lora) - set(DEFAULTS["lora"]):
        raise InputProblem(f"lora must be an object with fields {', '.join(DEFAULTS['lora'])}")
    config["lora"] = {**DEFAULTS["lora"], **lora}
    for key in ("iters", "batchSize", "maxSeqLength", "stepsPerReport", "stepsPerEval", "saveEvery"):
        if not isinstance(config[key], int) or isinstance(config[key], bool) or config[key] < 1:
            raise InputProblem(f"{key} must be a positive integer, not {config[key]!r}")
    if not isinstance(config["learningRate"], (int, float)) or config["learningRate"] <= 0:
        raise InputProblem(f"learningRate must be a positive number, not {config['learningRate']!r}")
    return config


# --- dataset --------------------------------------------------------------------------------


def check_example(value: Any) -> str | None:
    """What is wrong with one chat example, or None. The same shape src/training/dataset.ts writes."""
    if not isinstance(value, dict):
        return "expected a JSON object"
    messages = value.get("messages")
    if not isinstance(messages, list) or not messages:
        return 'expected a non-empty "messages" array'
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            return f"messages[{i}] is not an object"
        role = message.get("role")
        if role not in ROLES:
            return f"messages[{i}].role is {role!r}, expected one of {', '.join(ROLES)}"
        if not isinstance(message.get("content"), str):
            return f"messages[{i}].content must be a string"
    if messages[-1]["role"] != "assistant":
        return "the last message must be the assistant's (the text to learn)"
    return None


def read_examples(path: Path) -> list[dict[str, Any]]:
    """Every line of a chat JSONL file, checked; the first bad one raises InputProblem naming file:line."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputProblem(f"cannot read {path}: {error.strerror}") from error
    examples = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            if number == raw.count(b"\n") + 1:
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


def load_split(data_dir: Path, name: str, batch_size: int, required: bool) -> list[dict[str, Any]]:
    path = data_dir / f"{name}.jsonl"
    if not path.exists():
        if required:
            raise InputProblem(f"{path} does not exist")
        return []
    examples = read_examples(path)
    if len(examples) < batch_size:
        raise InputProblem(
            f"{path} has {len(examples)} examples, fewer than the batch size {batch_size}"
        )
    return examples


# --- resume ---------------------------------------------------------------------------------


def resume_point(adapter_file: Path) -> dict[str, Any]:
    """The iteration (and tokens) a saved adapter reached: from its checkpoint name, else progress.json."""
    if not adapter_file.is_file():
        raise InputProblem(f"the adapter to resume from, {adapter_file}, does not exist")
    progress = read_progress(adapter_file.parent)
    match = CHECKPOINT_RE.match(adapter_file.name)
    if match:
        it = int(match.group(1))
        tokens = progress.get("trainedTokens", 0) if progress.get("iter") == it else 0
        return {"iter": it, "trainedTokens": tokens}
    if "iter" not in progress:
        raise InputProblem(f"no progress.json beside {adapter_file}: cannot tell which iteration it reached")
    return {"iter": int(progress["iter"]), "trainedTokens": progress.get("trainedTokens", 0)}


def read_progress(folder: Path) -> dict[str, Any]:
    try:
        value = json.loads((folder / "progress.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def write_progress(folder: Path, it: int, trained_tokens: int, total: int) -> None:
    tmp = folder / "progress.json.tmp"
    tmp.write_text(json.dumps({"iter": it, "trainedTokens": trained_tokens, "totalIters": total}))
    os.replace(tmp, folder / "progress.json")


# --- stop on SIGTERM ------------------------------------------------------------------------


class StopFlag:
    """Set by SIGTERM/SIGINT; read at each step boundary."""

    def __init__(self) -> None:
        self.requested = False

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._set)

    def _set(self, _signum: int, _frame: Any) -> None:
        self.requested = True


# --- training -------------------------------------------------------------------------------


def train(
    data_dir: Path,
    out_dir: Path,
    config: dict[str, Any],
    resume_file: Path | None,
    events: Emitter,
    stop: StopFlag,
) -> None:
    batch_size = config["batchSize"]
    # The dataset first: a bad line must not wait for a model to load.
    train_examples = load_split(data_dir, "train", batch_size, required=True)
    valid_examples = load_split(data_dir, "valid", batch_size, required=False)
    if not valid_examples:
        events.emit("log", message=f"no {data_dir / 'valid.jsonl'}: training without validation")
    start = resume_point(resume_file) if resume_file else {"iter": 0, "trainedTokens": 0}
    start_iter = start["iter"]
    total = config["iters"]

    import mlx.core as mx
    import mlx.optimizers as optim
    import numpy as np
    from mlx.utils import tree_flatten
    from mlx_lm.tuner.callbacks import TrainingCallback
    from mlx_lm.tuner.datasets import CacheDataset, create_dataset
    from mlx_lm.tuner.trainer import TrainingArgs, iterate_batches
    from mlx_lm.tuner.trainer import train as mlx_train
    from mlx_lm.tuner.utils import linear_to_lora_layers
    from mlx_lm.utils import load, save_config

    np.random.seed(config["seed"])
    blas = f", BLAS preloaded from {os.environ['LD_PRELOAD']}" if os.environ.get("LD_PRELOAD") else ""
    events.emit("log", message=f"loading {config['baseModel']} (mlx {mx.__version__}, {mx.default_device()}{blas})")
    model, tokenizer = load_model(config["baseModel"], load)
    mx.random.seed(config["seed"])
    model.freeze()
    lora = config["lora"]
    layers = lora["layers"]
    if layers > len(model.layers):
        raise InputProblem(f"lora.layers is {layers} but the model has only {len(model.layers)} layers")
    lora_parameters = {"rank": lora["rank"], "dropout": lora["dropout"], "scale": lora["scale"]}
    linear_to_lora_layers(model, layers, lora_parameters)
    if resume_file:
        model.load_weights(str(resume_file), strict=False)
    trainable = sum(v.size for _, v in tree_flatten(model.trainable_parameters()))

    out_dir.mkdir(parents=True, exist_ok=True)
    adapter_file = out_dir / "adapters.safetensors"
    # What `mlx_lm fuse` / load_adapters read back, in lora.py's own key names.
    save_config(
        {
            "model": config["baseModel"],
            "fine_tune_type": "lora",
            "num_layers": layers,
            "lora_parameters": lora_parameters,
            "data": str(data_dir),
            "iters": total,
            "batch_size": batch_size,
            "learning_rate": config["learningRate"],
            "max_seq_length": config["maxSeqLength"],
            "seed": config["seed"],
            "studio": config,
        },
        out_dir / "adapter_config.json",
    )

    remaining = total - start_iter
    events.emit(
        "start",
        runner="mlx",
        baseModel=config["baseModel"],
        totalIters=total,
        startIter=start_iter,
        trainableParams=trainable,
    )
    if remaining <= 0:
        events.emit("done", iter=start_iter, adapterPath=str(resume_file), cancelled=False)
        return

    state = {"done": 0, "tokens": start["trainedTokens"], "reported": 0, "saved": -1}

    def save(it: int) -> None:
        weights = dict(tree_flatten(model.trainable_parameters()))
        mx.save_safetensors(str(adapter_file), weights)
        checkpoint = out_dir / f"{it:07d}_adapters.safetensors"
        mx.save_safetensors(str(checkpoint), weights)
        write_progress(out_dir, it, state["tokens"], total)
        state["saved"] = it
        events.emit("checkpoint", iter=it, path=str(checkpoint))

    class Reporter(TrainingCallback):
        def on_train_loss_report(self, info: dict) -> None:
            it = info["iteration"]
            steps = it - state["reported"]
            state["reported"] = it
            window_tokens = info["trained_tokens"] - (state["tokens"] - start["trainedTokens"])
            state["tokens"] = start["trainedTokens"] + info["trained_tokens"]
            tps = info["tokens_per_second"]
            seconds = window_tokens / tps if tps > 0 else 0
            loss = finite(info["train_loss"])
            if loss is None:  # the schema needs a number: say it in words instead
                events.emit("log", message=f"iteration {start_iter + it}: the training loss is not finite (diverged?)")
                return
            events.emit(
                "train",
                iter=start_iter + it,
                loss=loss,
                learningRate=finite(info["learning_rate"]),
                tokensPerSec=finite(tps),
                itersPerSec=finite(steps / seconds) if seconds > 0 else None,
                trainedTokens=state["tokens"],
                peakMemoryGb=finite(info["peak_memory"]),
            )

        def on_val_loss_report(self, info: dict) -> None:
            loss = finite(info["val_loss"])
            if loss is not None:
                events.emit("val", iter=start_iter + info["iteration"], loss=loss)

    def batches(dataset, batch_size, max_seq_length, loop=False, seed=None, comm_group=None):
        inner = iterate_batches(dataset, batch_size, max_seq_length, loop, seed, comm_group)
        if not loop:  # validation
            yield from inner
            return
        # train() asks for batch k+1 only once step k is evaluated: a step boundary. Every batch
        # handed out is trained on (train() zips them with its range of iterations, range first).
        for batch in inner:
            done = state["done"]
            if done and (start_iter + done) % config["saveEvery"] == 0:
                save(start_iter + done)
            if stop.requested:
                return
            state["done"] = done + 1
            yield batch

    args = TrainingArgs(
        batch_size=batch_size,
        iters=remaining,
        val_batches=config["valBatches"],
        steps_per_report=config["stepsPerReport"],
        steps_per_eval=config["stepsPerEval"],
        steps_per_save=remaining + 1,  # saved by `batches`, with iterations counted across resumes
        max_seq_length=config["maxSeqLength"],
        adapter_file=str(adapter_file),
        grad_checkpoint=config["gradCheckpoint"],
    )
    data_config = argparse.Namespace(mask_prompt=False)
    mlx_train(
        model=model,
        optimizer=optim.Adam(learning_rate=config["learningRate"]),
        train_dataset=CacheDataset(create_dataset(train_examples, tokenizer, data_config)),
        val_dataset=CacheDataset(create_dataset(valid_examples, tokenizer, data_config)) if valid_examples else None,
        args=args,
        iterate_batches=batches,
        training_callback=Reporter(),
    )
    last = start_iter + state["done"]
    cancelled = stop.requested and state["done"] < remaining
    if state["saved"] != last:
        save(last)
    events.emit("done", iter=last, adapterPath=str(adapter_file), cancelled=cancelled)


def load_model(base: str, load: Any) -> Any:
    """mlx-lm's load, with a plain message when a repo id cannot be fetched (no internet here)."""
    local = Path(base).expanduser()
    if local.exists():
        if not (local / "config.json").exists():
            raise InputProblem(f"the model folder {local} has no config.json")
        return load(str(local))
    try:
        return load(base)
    except Exception as error:  # huggingface_hub raises many kinds
        raise InputProblem(
            f"cannot load the base model {base!r}: it is not a local folder and fetching it from the"
            f" Hugging Face hub failed ({type(error).__name__}: {error}). On a machine without"
            " internet, set baseModel to a local model folder."
        ) from error


# --- entry point ----------------------------------------------------------------------------


def take_stdout() -> IO[str]:
    """Stdout for the events only: fd 1 is re-pointed at stderr for everything else (mlx-lm's progress, C code)."""
    events_fd = os.dup(1)
    os.dup2(2, 1)
    return os.fdopen(events_fd, "w", encoding="utf-8", buffering=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("config", help="a JSON object, or the path of a JSON file")
    parser.add_argument("--resume-adapter-file", type=Path)
    args = parser.parse_args(argv)
    events = Emitter(take_stdout())
    stop = StopFlag()
    stop.install()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "true")  # as mlx-lm's own lora entry point
    started = time.perf_counter()
    try:
        config = parse_config(args.config)
        train(args.data_dir, args.out_dir, config, args.resume_adapter_file, events, stop)
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
