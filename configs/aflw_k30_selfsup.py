# As aflw_k30.py, fine-tuned from celeba_k30_selfsup.py (colorization VGG-16).
_base_ = ['./aflw_k30.py']

vgg16_colorization_weights = 'checkpoints/vgg16_colorization.pth'
load_from = 'work_dirs/celeba_k30_selfsup/best_NME_iter_150000.pth'
model = dict(
    reconstruction_loss=dict(
        loss_network=dict(
            input_mode='grey', weights=vgg16_colorization_weights)))
