"""LoRA fine-tuning for medbot: chat datasets built from the literature, PEFT training with
transformers + accelerate, and adapter export for llama.cpp.

Importing the package loads nothing heavy; `finetune.fastpath` needs only torch, transformers and
peft so that the GPU benchmark runs where medbot itself is not installed.
"""
