"""Training data (template labels, synthetic lesions, augmentation), training and held-out evaluation
of medbot's default brain segmenter."""
