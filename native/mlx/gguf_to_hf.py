"""A GGUF decoder (SmolLM2 and other byte-level-BPE llama models) -> a Hugging Face checkpoint folder.

Run once by src/training/hf-checkpoint.ts in its own venv (requirements-checkpoint.txt: torch,
transformers, gguf), so mlx-lm can train on the model that node-llama-cpp already runs.

    python gguf_to_hf.py MODEL.gguf OUT_DIR

Weights are dequantized to float32 by transformers' GGUF loader (which also undoes llama.cpp's
q/k permutation). Two things it gets wrong for SmolLM2 are put right here:
- the GGUF has no output.weight because lm_head is tied to the embeddings: without
  tie_word_embeddings=True lm_head would be random;
- the tokenizer comes back without SmolLM2's digit splitting and with the wrong decoder: it is
  rebuilt as single digits + byte-level BPE, no BOS, exact decode, so that llama.cpp's converter
  later recognises the pre-tokenizer (it hashes the tokenization of a test string) and the chat
  template from the GGUF is kept.
Writes to OUT_DIR.<pid>.tmp and renames, so a reader never sees half a folder.
"""

import os
import shutil
import sys


def convert(gguf_path: str, out: str) -> None:
    import gguf
    from tokenizers import decoders, pre_tokenizers, processors
    from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedTokenizerFast

    folder, name = os.path.dirname(os.path.abspath(gguf_path)), os.path.basename(gguf_path)
    meta = gguf.GGUFReader(gguf_path).fields
    arch = meta["general.architecture"].contents()
    if arch != "llama":
        sys.exit(f"{gguf_path}: architecture {arch!r}; only llama-family GGUFs are supported")
    tokenizer_model = meta["tokenizer.ggml.model"].contents()
    if tokenizer_model != "gpt2":
        sys.exit(f"{gguf_path}: tokenizer {tokenizer_model!r}; only byte-level BPE (gpt2) is supported")
    tied = "output.weight" not in {t.name for t in gguf.GGUFReader(gguf_path).tensors}

    tmp = f"{out}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, tie_word_embeddings=tied)
    if tied:
        assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
    # transformers 5 marks a GGUF-loaded model as "quantized with gguf" and refuses to save it,
    # although the weights are already plain float32 tensors.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(tmp)

    backend = AutoTokenizer.from_pretrained(folder, gguf_file=name).backend_tokenizer
    backend.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ]
    )
    backend.decoder = decoders.ByteLevel()
    backend.post_processor = processors.ByteLevel(trim_offsets=False)

    def token(key: str) -> str:
        return meta["tokenizer.ggml.tokens"].contents(meta[key].contents())

    tok = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token=token("tokenizer.ggml.bos_token_id"),
        eos_token=token("tokenizer.ggml.eos_token_id"),
        unk_token=token("tokenizer.ggml.unknown_token_id"),
        pad_token=token("tokenizer.ggml.padding_token_id"),
        clean_up_tokenization_spaces=False,
    )
    if "tokenizer.chat_template" in meta:
        tok.chat_template = meta["tokenizer.chat_template"].contents()
    tok.save_pretrained(tmp)

    sample = "def f(x):\n    return x != 12345  # café 🌈\n\n\tend"
    assert tok.decode(tok(sample).input_ids) == sample, "tokenizer round trip failed"
    if os.path.exists(os.path.join(out, "config.json")):
        shutil.rmtree(tmp)  # another process finished first, and may be reading it: keep that one
        return
    shutil.rmtree(out, ignore_errors=True)
    os.rename(tmp, out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: gguf_to_hf.py MODEL.gguf OUT_DIR")
    convert(sys.argv[1], sys.argv[2])
