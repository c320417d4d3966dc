# K = 30 landmarks learned on WFLW faces read by mmpose's WFLWDataset
# (mmpose's layout: data/wflw/images/, data/wflw/annotations/*.json), cropped
# by mmpose's GetBBoxCenterScale + TopdownAffine, paired by TPS warps; the
# regression maps them to WFLW's 98 landmarks (error / outer-eye-corner
# distance). Not a setting of the paper.
_base_ = [
    './_base_/default_runtime.py',
    './_base_/models/conditional_generation.py',
    './_base_/datasets/mmpose_faces.py',
]

num_keypoints = 30
model = dict(backbone=dict(num_keypoints=num_keypoints))
