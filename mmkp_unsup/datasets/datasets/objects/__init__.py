from .smallnorb import (SMALLNORB_CATEGORIES, SmallNORBDataset,
                        read_norb_header, read_norb_matrix)
from .svhn import (SVHNDataset, SVHNFullNumbersDataset, read_digit_struct,
                   svhn_digit)

__all__ = [
    'SmallNORBDataset', 'SMALLNORB_CATEGORIES', 'read_norb_header',
    'read_norb_matrix', 'SVHNDataset', 'SVHNFullNumbersDataset',
    'read_digit_struct', 'svhn_digit'
]
