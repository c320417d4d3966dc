# Short name of td-hm_kpencoder_8xb64-60e_aflw-128x128.py: an mmpose
# top-down heatmap model on AFLW fine-tuned from the learned keypoint
# encoder (docs/export_and_reuse.md).
_base_ = ['./td-hm_kpencoder_8xb64-60e_aflw-128x128.py']
