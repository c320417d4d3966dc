# VoxCeleb frame pairs (docs/data_preparation_faces.md, "VoxCeleb"): two
# frames of one clip (the same face, another pose and expression, the same
# background). The paper trains on VoxCeleb but does not publish its crop,
# size or frame gap: these are this package's defaults. The VoxCeleb1 face
# frames are used whole (they are already face crops), resized to 128x128;
# any two frames of a clip pair. This base defines datasets only; a config
# picks one for its train_dataloader (configs/voxceleb_k30.py).
vox_image_size = 128
vox_min_gap = 1  # pair frames at least...
vox_max_gap = None  # ...and at most this far apart in the clip (None: any)

vox_resize = dict(type='ResizeCrop', resize=(vox_image_size, vox_image_size))

# VoxCeleb1: data/voxceleb1/unzippedIntervalFaces/data/<Name>/1.6/<yt>/<clip>/
voxceleb1_pairs = dict(
    type='FramePairDataset',
    dataset=dict(
        type='VoxCeleb1FramesDataset',
        data_root='data/voxceleb1/',
        pipeline=[dict(type='LoadImage'), vox_resize]),
    pair_sampler=dict(
        type='ClipFramePairSampler', min_gap=vox_min_gap,
        max_gap=vox_max_gap),
    pipeline=[dict(type='PackPairInputs')])

# VoxCeleb2: data/voxceleb2/dev/mp4/<idXXXXX>/<yt>/<NNNNN>.mp4, 8 frames
# 5 apart per video read with OpenCV
voxceleb2_pairs = dict(
    type='FramePairDataset',
    dataset=dict(
        type='VoxCeleb2VideoDataset',
        data_root='data/voxceleb2/',
        subset='dev',
        frames_per_video=8,
        frame_step=5,
        pipeline=[dict(type='LoadVideoFrame'), vox_resize]),
    pair_sampler=dict(
        type='ClipFramePairSampler', min_gap=vox_min_gap,
        max_gap=vox_max_gap),
    pipeline=[dict(type='PackPairInputs')])
