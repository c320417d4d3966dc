from .keypoint_priors import (KeypointConcentrationPrior,
                              KeypointSeparationPrior)
from .loss_networks import VGG16Features
from .reconstruction_losses import (FeatureReconstructionLoss, PerceptualLoss,
                                    PixelReconstructionLoss, masked_mean)
from .colorization_vgg import (COLORIZATION_VGG16_PATH,
                               colorization_vgg16_to_torchvision,
                               convert_colorization_vgg16, fold_batch_norm)
from .reconstruction_losses import check_loss_mask

__all__ = [
    'VGG16Features', 'PerceptualLoss', 'FeatureReconstructionLoss',
    'PixelReconstructionLoss',
    'masked_mean', 'colorization_vgg16_to_torchvision',
    'convert_colorization_vgg16', 'fold_batch_norm', 'check_loss_mask',
    'KeypointSeparationPrior', 'KeypointConcentrationPrior',
    'COLORIZATION_VGG16_PATH'
]
