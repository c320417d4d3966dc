# AutoLink (He, Wandt, Rhodin, NeurIPS 2022) at 128x128, the paper's model
# (docs/autolink.md); its optimisation: ../autolink_runtime.py.
num_keypoints = 10
edge_thickness = 1e-3  # 2.5e-3 for CelebA-wild at K=8
graph_lr_scale = 512.0  # softplus(512 * theta); the public code's sklr
mask_grid = 16  # 16 x 16 patches of 8 x 8 pixels at 128 x 128
mask_keep_prob = 0.2  # the public code's missing=0.8
perceptual_layers = ('conv1_2', 'conv2_2', 'conv3_3', 'conv4_3')  # post-ReLU
perceptual_size = (224, 224)
vgg16_weights = 'torchvision://vgg16'

model = dict(
    type='AutoLinkEstimator',
    # images in [-1, 1], as the public code's Normalize(0.5, 0.5)
    data_preprocessor=dict(
        type='PairDataPreprocessor',
        mean=[127.5] * 3,
        std=[127.5] * 3,
        bgr_to_rgb=True),
    backbone=dict(
        type='AutoLinkDetector',
        num_keypoints=num_keypoints,
        channels=(64, 128, 256, 512),  # 128 -> 8
        up_channels=(256, 128)),  # 8 -> 32: 32 x 32 heatmaps
    head=dict(
        type='SoftArgmaxKeypointHead',
        coordinate_decoder=dict(type='SpatialSoftArgmax')),
    renderer=dict(
        type='EdgeMapRenderer',
        thickness=edge_thickness,
        lr_scale=graph_lr_scale),
    patch_mask=dict(
        type='RandomPatchMask', grid_size=mask_grid,
        keep_prob=mask_keep_prob),
    generator=dict(type='UNetGenerator', channels=(64, 128, 256, 512, 512)),
    reconstruction_loss=dict(
        type='FeatureReconstructionLoss',
        loss_network=dict(
            type='VGG16Features',
            layers=perceptual_layers,
            input_mode='imagenet',
            weights=vgg16_weights),
        resize_to=perceptual_size,
        criterion='l1'))
