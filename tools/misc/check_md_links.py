"""Check the relative links of markdown files: every target file exists and
every ``#anchor`` names a heading of its file (GitHub's anchors: lower case,
punctuation other than ``-`` and ``_`` dropped, spaces to ``-``, ``-1``,
``-2``... for repeated headings).

    python tools/misc/check_md_links.py README.md docs/*.md

Prints one line per broken link and exits 1 if there is any.
"""
import os.path as osp
import re
import sys

FENCE = re.compile(r'^\s*(```|~~~)')
HEADING = re.compile(r'^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$')
LINK = re.compile(r'!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
INLINE_CODE = re.compile(r'`[^`]*`')


def prose_lines(text):
    """(line number, line) outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def slug(heading):
    heading = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', heading)  # link text
    heading = heading.strip().lower()
    heading = ''.join(c for c in heading
                      if c.isalnum() or c in ' -_')
    return heading.replace(' ', '-')


def anchors(path):
    seen, result = {}, set()
    with open(path, encoding='utf-8') as f:
        for _, line in prose_lines(f.read()):
            match = HEADING.match(line)
            if not match:
                continue
            base = slug(match.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            result.add(base if count == 0 else f'{base}-{count}')
    return result


def broken_links(path):
    """Yield ``(line, target, why)`` for each broken relative link."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    for number, line in prose_lines(text):
        for match in LINK.finditer(INLINE_CODE.sub('', line)):
            target = match.group(1)
            if re.match(r'^[a-z][a-z0-9+.-]*:', target):  # http:, mailto:
                continue
            file_part, _, anchor = target.partition('#')
            resolved = (osp.normpath(osp.join(osp.dirname(path), file_part))
                        if file_part else path)
            if not osp.exists(resolved):
                yield number, target, 'no such file'
            elif anchor and (not resolved.endswith('.md')
                             or anchor not in anchors(resolved)):
                yield number, target, f'no heading #{anchor} in {resolved}'


def main(paths):
    failures = 0
    for path in paths:
        for number, target, why in broken_links(path):
            print(f'{path}:{number}: {target}: {why}')
            failures += 1
    print(f'{len(paths)} files checked, {failures} broken links')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
