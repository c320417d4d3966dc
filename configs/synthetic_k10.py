# K = 10 landmarks learned without labels from the built-in synthetic faces
# (32x32), on a CPU in minutes: the config `make demo` trains. The model and
# schedule are the small-image defaults (configs/_base_/small_image.py).
_base_ = [
    './_base_/small_image.py',
    './_base_/datasets/synthetic_faces.py',
]
