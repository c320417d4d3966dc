# As aflw_k30.py, fine-tuned from celeba_k30_selfsup.py (colorization VGG-16).
_base_ = ['./aflw_k30.py']

continue_from = 'work_dirs/celeba_k30_selfsup'
model = dict(
    reconstruction_loss=dict(
        loss_network=dict(
            input_mode='grey', weights=_base_.vgg16_colorization_weights)))
