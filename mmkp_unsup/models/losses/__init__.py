from .loss_networks import VGG16Features
from .reconstruction_losses import (PerceptualLoss, PixelReconstructionLoss,
                                    masked_mean)

__all__ = [
    'VGG16Features', 'PerceptualLoss', 'PixelReconstructionLoss',
    'masked_mean'
]
