from .pair_data_preprocessor import PairDataPreprocessor

__all__ = ['PairDataPreprocessor']
