# As bbcpose_k10.py with K = 30 landmarks (the paper's K for BBC Pose is not
# stated in the material this package follows; both are provided).
_base_ = ['./bbcpose_k10.py']

model = dict(backbone=dict(num_keypoints=30))
