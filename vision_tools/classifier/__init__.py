"""Lesion-crop classifiers trained by users: `medbot train-classifier FOLDER` and `--classifier MODEL`.

A classifier is a MONAI DenseNet121 (2D or 3D, chosen from the data) trained on a folder with one
subfolder per class. Its model card records the input it was built for (2D/3D, size, channels,
modality, crop size in mm); `medbot segment --classifier` refuses volumes that do not match.
No classifier ships with medbot: no labelled clinical lesion data is available offline.
"""
