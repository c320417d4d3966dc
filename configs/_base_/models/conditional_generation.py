# The model of the release (docs/method.md, "Model", "Loss", "Loss networks").
num_keypoints = 10
n_filters = 32  # encoders: 32, 64, 128, 256 channels
num_stages = 3  # 128 x 128 input -> 16 x 16 heatmaps and features
n_filters_render = 32  # generator: 256, 128, 64, 32 channels
gauss_std = 0.1
# the release's TensorFlow 1.x conventions (docs/method.md, "Padding as the
# release", "Resizing as the release"): 'SAME' padding of the strided
# convolutions (0 top / left, 1 bottom / right), the generator's x2
# upsampling and the loss mask's resizing to each feature map as
# tf.image.resize_images; 'symmetric' and 'pytorch' are PyTorch's layouts
same_padding = 'tensorflow'
generator_upsample = 'tf1'
loss_mask_resize = 'tf1'

# perceptual loss (imm/models/imm_model.py)
perceptual_layers = ('conv1_2', 'conv2_2', 'conv3_2', 'conv4_2', 'conv5_2')
perceptual_init_values = (100.0, 1.6, 2.3, 1.8, 2.8, 100.0)  # input first
perceptual_rho = 0.99
perceptual_weight = 1000.0
# loss network (docs/method.md, "Loss networks"): 'imagenet' with an ImageNet
# VGG-16 (the paper's "Ours"), or 'grey' with the release's colorization
# VGG-16 ("Ours selfsup."), converted by
# tools/dataset_converters/convert_colorization_vgg16.py
vgg16_input_mode = 'imagenet'
vgg16_weights = 'torchvision://vgg16'  # or a local torchvision checkpoint
# the colorization VGG-16 of the *_selfsup configs: the converter's default
# output (mmkp_unsup.models.losses.COLORIZATION_VGG16_PATH)
vgg16_colorization_weights = 'checkpoints/vgg16_colorization.pth'

model = dict(
    type='UnsupervisedLandmarkEstimator',
    # the release feeds pixels in [0, 255], no mean/std
    data_preprocessor=dict(type='PairDataPreprocessor', bgr_to_rgb=True),
    backbone=dict(
        type='KeypointEncoder',
        num_keypoints=num_keypoints,
        n_filters=n_filters,
        num_stages=num_stages,
        same_padding=same_padding),
    appearance_encoder=dict(
        type='ImageEncoder',
        n_filters=n_filters,
        num_stages=num_stages,
        same_padding=same_padding),
    # appearance channels, K and the number of upsamplings follow the encoders
    generator=dict(
        type='ConditionalGenerator',
        n_filters=n_filters_render,
        upsample=generator_upsample),
    head=dict(
        type='SoftArgmaxKeypointHead',
        coordinate_decoder=dict(type='MarginalSoftArgmax')),
    renderer=dict(type='GaussianMapRenderer', std=gauss_std),
    reconstruction_loss=dict(
        type='PerceptualLoss',
        loss_network=dict(
            type='VGG16Features',
            layers=perceptual_layers,
            input_mode=vgg16_input_mode,
            weights=vgg16_weights),
        include_input=True,
        init_values=perceptual_init_values,
        rho=perceptual_rho,
        criterion='l2',
        loss_weight=perceptual_weight,
        mask_resize=loss_mask_resize))
