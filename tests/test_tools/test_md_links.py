"""The documentation's relative links: every target file and ``#anchor``
exists (tools/misc/check_md_links.py), and README.md stays short."""
import glob
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools', 'misc'))
import check_md_links  # noqa: E402


def test_links_and_anchors_exist():
    paths = [osp.join(REPO, 'README.md'),
             *sorted(glob.glob(osp.join(REPO, 'docs', '*.md')))]
    broken = [f'{osp.relpath(path, REPO)}:{line}: {target}: {why}'
              for path in paths
              for line, target, why in check_md_links.broken_links(path)]
    assert not broken, '\n'.join(broken)


def test_anchor_rules(tmp_path):
    """GitHub's anchors: lower case, punctuation dropped but for - and _,
    spaces to -, a repeated heading numbered."""
    (tmp_path / 'a.md').write_text(
        '# The untrained baseline (`X_untrained`)\n## CelebA + MAFL\n'
        '## Tests\n## Tests\n```\n# not a heading\n```\n')
    assert check_md_links.anchors(str(tmp_path / 'a.md')) == {
        'the-untrained-baseline-x_untrained', 'celeba--mafl', 'tests',
        'tests-1'}
    (tmp_path / 'b.md').write_text(
        '[ok](a.md#tests-1) [bad](a.md#not-a-heading) [gone](c.md) '
        '[web](https://example.com/#x) `[code](d.md)`\n')
    assert [target for _, target, _ in check_md_links.broken_links(
        str(tmp_path / 'b.md'))] == ['a.md#not-a-heading', 'c.md']


def test_readme_reads_in_minutes():
    assert osp.getsize(osp.join(REPO, 'README.md')) <= 15000
