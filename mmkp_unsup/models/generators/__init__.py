from .conditional_generator import ConditionalGenerator

__all__ = ['ConditionalGenerator']
