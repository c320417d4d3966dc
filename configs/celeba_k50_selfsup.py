# As celeba_k50.py, with the release's loss network ("Ours selfsup."): a
# VGG-16 trained by colorization, grey input. Convert the authors' file
# first: tools/dataset_converters/convert_colorization_vgg16.py writes it to
# vgg16_colorization_weights (configs/_base_/models/conditional_generation.py).
_base_ = ['./celeba_k50.py']

model = dict(
    reconstruction_loss=dict(
        loss_network=dict(
            input_mode='grey', weights=_base_.vgg16_colorization_weights)))
