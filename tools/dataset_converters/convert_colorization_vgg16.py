"""Convert the release's colorization VGG-16 (vgg16.caffemodel.h5) into a
torchvision-layout checkpoint for ``VGG16Features(input_mode='grey')``.

    python tools/dataset_converters/convert_colorization_vgg16.py \
        vgg16.caffemodel.h5 [checkpoints/vgg16_colorization.pth]

The output defaults to ``checkpoints/vgg16_colorization.pth`` (relative to
the working directory), the file that the ``*_selfsup`` configs read. See
docs/method.md, "Loss networks". Needs h5py.
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Optional

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))
from mmkp_unsup.models.losses.colorization_vgg import (  # noqa: E402
    COLORIZATION_VGG16_PATH, VGG16_CONV_INDICES, convert_colorization_vgg16)
from mmkp_unsup.models.losses.loss_networks import VGG16Features  # noqa


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('input', help='vgg16.caffemodel.h5 of the release')
    parser.add_argument(
        'output',
        nargs='?',
        default=COLORIZATION_VGG16_PATH,
        help='the .pth file to write (default: %(default)s, the file the '
        '*_selfsup configs read)')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    if not osp.isfile(args.input):
        raise FileNotFoundError(f'{args.input}: no such file')
    state = convert_colorization_vgg16(args.input)
    layers = [name for name, i in VGG16_CONV_INDICES.items()
              if f'features.{i}.weight' in state]
    # the result must load into the loss network it is meant for
    VGG16Features(layers=(layers[-1], ), input_mode='grey',
                  weights=None).load_vgg_state_dict(state, source=args.input)
    os.makedirs(osp.dirname(osp.abspath(args.output)), exist_ok=True)
    torch.save(state, args.output)
    print(f'{args.output}: {len(layers)} convolutions ({", ".join(layers)}),'
          ' batch norm folded in; use it as VGG16Features(input_mode='
          f"'grey', weights='{args.output}')")


if __name__ == '__main__':
    main()
