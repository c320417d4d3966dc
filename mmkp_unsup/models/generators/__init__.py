from .conditional_generator import ConditionalGenerator
from .unet_generator import UNetGenerator

__all__ = ['ConditionalGenerator', 'UNetGenerator']
