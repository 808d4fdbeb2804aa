#!/usr/bin/python3
"""tests/scripts/err_catalogue.py -- every error text of geo/ and service/ has its Czech.

Extracts, from the source tree (not from the catalogue's own idea of it), every printf format
passed to kkc_err_set(), api_errorf() and api_error_httpf() and every literal message passed to api_error() and
api_error_http(); reads the catalogue geo/base/err_cs.c; fails when a format has no Czech entry,
when an entry's Czech has other conversion specifiers than its English (the same ones in the
same order: they get the same arguments), when the Czech is the English unchanged (for a text
with words), or when the table is not sorted by strcmp() (kkc_err_cs() searches it by halves).
--list prints the formats found (one per line, C-escaped). Exit 0 when all is well."""
import re
import subprocess
import sys

ROOT = subprocess.run(['git', 'rev-parse', '--show-toplevel'], capture_output=True, text=True,
                      check=True).stdout.strip()
CATALOGUE = 'geo/base/err_cs.c'
# function -> index of the format (or message) argument
FUNCS = {'kkc_err_set': 2, 'api_errorf': 2, 'api_error_httpf': 2, 'api_error': 2,
         'api_error_http': 2}
LITERAL_ONLY = {'api_error', 'api_error_http'}  # their message may be a variable (err.msg)
# Functions whose returned literals reach api_error() through a variable: (file, function).
RETURNS_MESSAGE = {('service/http.c', 'framing_error')}
MACROS = {'PRId64': 'ld', 'PRIu64': 'lu', 'PRIi64': 'li', 'PRIx64': 'lx', 'PRIu32': 'u',
          'PRId32': 'd'}
SPEC = re.compile(r"%(?:%|[-+ #0']*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|L|z|j|t)?[diouxXeEfFgGaAcspn])")
TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|/\*.*?\*/|//[^\n]*|\w+|\s+|.', re.S)


def unescape(lit):
    """The bytes of a C string literal's body, as text."""
    out = bytearray()
    i = 0
    b = lit.encode('utf-8')
    simple = {ord('n'): 10, ord('t'): 9, ord('r'): 13, ord('0'): 0, ord('"'): 34, ord("'"): 39,
              ord('\\'): 92, ord('a'): 7}
    while i < len(b):
        if b[i] == 92:
            c = b[i + 1]
            if c == ord('x'):
                j = i + 2
                while j < len(b) and chr(b[j]) in '0123456789abcdefABCDEF':
                    j += 1
                out.append(int(b[i + 2:j], 16))
                i = j
                continue
            out.append(simple.get(c, c))
            i += 2
        else:
            out.append(b[i])
            i += 1
    return out.decode('utf-8')


def tokens(src):
    return [t for t in TOKEN.findall(src) if not t.isspace() and not t.startswith(('/*', '//'))]


def args_at(toks, i):
    """toks[i] is '(': the argument token lists and the index after ')'."""
    depth, args, cur = 0, [], []
    for j in range(i, len(toks)):
        t = toks[j]
        if t in '([{':
            depth += 1
            if depth == 1:
                continue
        elif t in ')]}':
            depth -= 1
            if depth == 0:
                args.append(cur)
                return args, j + 1
        elif t == ',' and depth == 1:
            args.append(cur)
            cur = []
            continue
        cur.append(t)
    return args, len(toks)


def literals(arg):
    """The strings an argument can be: concatenated literals, either branch of a ?: of them.
    None when some part is not a literal."""
    alts, cur, ok = [], None, True
    depth = 0
    for t in arg:
        if t.startswith('"'):
            cur = (cur or '') + unescape(t[1:-1])
        elif t in MACROS and cur is not None:
            cur += MACROS[t]
        elif t == '(':
            depth += 1
        elif t == ')':
            depth -= 1
        elif t == ':' and depth == 0:
            if cur is None:
                ok = False
            alts.append(cur)
            cur = None
        elif t == '?' and depth == 0:
            alts, cur = [], None  # the condition is not a message
        else:
            if cur is not None:
                ok = False
    if cur is None:
        ok = False
    alts.append(cur)
    return alts if ok and all(a is not None for a in alts) else None


def sources():
    files = subprocess.run(['git', 'ls-files', 'geo/*.c', 'service/*.c', 'geo/**/*.c'],
                           capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()
    return sorted(set(f for f in files if f != CATALOGUE and f != 'geo/base/err.c'))


def returned_messages(f, tt):
    """Token indices of the literals `return "..."` in the functions of RETURNS_MESSAGE."""
    out = []
    for k, t in enumerate(tt):
        if (f, t) not in RETURNS_MESSAGE or k + 1 >= len(tt) or tt[k + 1] != '(':
            continue
        _, j = args_at(tt, k + 1)
        if j >= len(tt) or tt[j] != '{':
            continue  # a call, not the definition
        depth = 0
        for m in range(j, len(tt)):
            depth += tt[m] == '{'
            depth -= tt[m] == '}'
            if depth == 0:
                break
            if tt[m] == 'return' and tt[m + 1].startswith('"') and tt[m + 2] == ';':
                out.append(m + 1)
    return out


def formats():
    """{format: [file:line, ...]} and a list of calls whose format is not a literal."""
    found, opaque = {}, []
    for f in sources():
        src = open(f'{ROOT}/{f}', encoding='utf-8').read()
        toks = TOKEN.findall(src)
        line, lines = 1, []
        for t in toks:
            lines.append(line)
            line += t.count('\n')
        keep = [(t, lines[k]) for k, t in enumerate(toks)
                if not t.isspace() and not t.startswith(('/*', '//'))]
        tt = [t for t, _ in keep]
        for k in returned_messages(f, tt):
            found.setdefault(unescape(tt[k][1:-1]), []).append(f'{f}:{keep[k][1]}')
        for k, t in enumerate(tt):
            if t not in FUNCS or k + 1 >= len(tt) or tt[k + 1] != '(':
                continue
            if k > 0 and tt[k - 1] in ('void', 'enum', 'kkc_code', '*'):
                continue  # a declaration or definition
            args, _ = args_at(tt, k + 1)
            if len(args) <= FUNCS[t]:
                continue
            alts = literals(args[FUNCS[t]])
            where = f'{f}:{keep[k][1]}'
            if alts is None:
                if t not in LITERAL_ONLY:
                    opaque.append(where + ': ' + ' '.join(args[FUNCS[t]]))
                continue
            for a in alts:
                found.setdefault(a, []).append(where)
    return found, opaque


def catalogue():
    """[(english, czech)] in the order of the table in err_cs.c."""
    src = open(f'{ROOT}/{CATALOGUE}', encoding='utf-8').read()
    body = src[src.index('ERR_CS_TABLE_BEGIN'):src.index('ERR_CS_TABLE_END')]
    tt = tokens(body)
    entries, k = [], 0
    while k < len(tt):
        if tt[k] == '{':
            args, k = args_at(tt, k)
            if len(args) == 2:
                en, cs = literals(args[0]), literals(args[1])
                entries.append((en[0], cs[0]))
            continue
        k += 1
    return entries


def specs(s):
    return [m for m in SPEC.findall(s) if m != '%%']


def cbytes(s):
    return s.encode('utf-8')


def main():
    found, opaque = formats()
    if '--list' in sys.argv:
        for fmt in sorted(found, key=cbytes):
            print(fmt.encode('unicode_escape').decode('ascii'))
        return 0
    entries = catalogue()
    table = dict(entries)
    problems = [f'not a literal format (give the text itself): {o}' for o in opaque]
    keys = [cbytes(e) for e, _ in entries]
    if keys != sorted(keys):
        bad = next(i for i in range(1, len(keys)) if keys[i - 1] >= keys[i])
        problems.append(f'{CATALOGUE}: not sorted by strcmp at entry {bad}: {entries[bad][0]!r}')
    if len(set(keys)) != len(keys):
        problems.append(f'{CATALOGUE}: an English text is listed twice')
    for fmt, where in sorted(found.items()):
        cs = table.get(fmt)
        if cs is None:
            problems.append(f'no Czech for {fmt!r} ({where[0]})')
        elif specs(cs) != specs(fmt):
            problems.append(f'{fmt!r}: Czech {cs!r} has conversions {specs(cs)}, English {specs(fmt)}')
        elif cs == fmt and re.search(r'[A-Za-z]{3}', SPEC.sub('', fmt)):
            problems.append(f'{fmt!r}: the Czech is the English unchanged')
    unused = [e for e, _ in entries if e not in found]
    for p in problems:
        print('err_catalogue: FAIL:', p)
    print(f'err_catalogue: {len(found)} formats in {len(sources())} files, {len(entries)} '
          f'entries, {len(unused)} not used, {len(problems)} problems')
    for u in unused:
        print('err_catalogue: note: not used any more:', repr(u))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
