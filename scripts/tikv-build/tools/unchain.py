#!/usr/bin/env python3
"""Rewrite one let chain (edition-2024 `if let .. && ..`) at FILE:LINE:COL into edition-2021 code.
usage: unchain.py FILE LINE COL   (LINE/COL: 1-based position of a `let` inside the chain)"""
import re, sys

def tokenize(s):
    toks = []  # (kind, text, start, end)
    i, n = 0, len(s)
    multi = ['>>=', '<<=', '...', '..=', '&&', '||', '==', '!=', '<=', '>=', '=>', '->', '::', '..',
             '+=', '-=', '*=', '/=', '%=', '^=', '&=', '|=', '<<', '>>']
    while i < n:
        c = s[i]
        if c.isspace():
            i += 1; continue
        if s.startswith('//', i):
            j = s.find('\n', i); i = n if j < 0 else j; continue
        if s.startswith('/*', i):
            d, j = 1, i + 2
            while j < n and d:
                if s.startswith('/*', j): d += 1; j += 2
                elif s.startswith('*/', j): d -= 1; j += 2
                else: j += 1
            i = j; continue
        m = re.match(r'(b|c)?r(#*)"', s[i:])
        if m:
            hashes = m.group(2)
            j = s.find('"' + hashes, i + m.end())
            toks.append(('lit', s[i:j + 1 + len(hashes)], i, j + 1 + len(hashes))); i = j + 1 + len(hashes); continue
        if c == '"' or (c in 'bc' and i + 1 < n and s[i + 1] == '"'):
            j = i + (2 if c != '"' else 1)
            while s[j] != '"':
                j += 2 if s[j] == '\\' else 1
            toks.append(('lit', s[i:j + 1], i, j + 1)); i = j + 1; continue
        if c == "'" or (c == 'b' and i + 1 < n and s[i + 1] == "'"):
            k = i + (1 if c == "'" else 2)
            if s[k] == '\\':
                j = k + 1
                while s[j] != "'": j += 1
                toks.append(('lit', s[i:j + 1], i, j + 1)); i = j + 1; continue
            if k + 1 < n and s[k + 1] == "'":
                toks.append(('lit', s[i:k + 2], i, k + 2)); i = k + 2; continue
            m = re.match(r"'[A-Za-z_][A-Za-z0-9_]*", s[i:])
            toks.append(('life', m.group(0), i, i + m.end())); i += m.end(); continue
        m = re.match(r'(r#)?[A-Za-z_][A-Za-z0-9_]*', s[i:])
        if m:
            toks.append(('id', m.group(0), i, i + m.end())); i += m.end(); continue
        m = re.match(r'[0-9][0-9A-Za-z_]*(\.[0-9][0-9A-Za-z_]*)?', s[i:])
        if m:
            toks.append(('num', m.group(0), i, i + m.end())); i += m.end(); continue
        for op in multi:
            if s.startswith(op, i):
                toks.append(('op', op, i, i + len(op))); i += len(op); break
        else:
            toks.append(('op', c, i, i + 1)); i += 1
    return toks

OPEN, CLOSE = '([{', ')]}'

def match_close(toks, k):
    d = 0
    for j in range(k, len(toks)):
        t = toks[j][1]
        if toks[j][0] == 'op' and t in OPEN: d += 1
        elif toks[j][0] == 'op' and t in CLOSE:
            d -= 1
            if d == 0: return j
    raise SystemExit('unbalanced')

def main():
    path, line, col = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    s = open(path).read()
    lines = s.split('\n')
    # rustc columns count chars
    off = sum(len(l) + 1 for l in lines[:line - 1]) + col - 1
    toks = tokenize(s)
    li = next(k for k, t in enumerate(toks) if t[2] == off)
    assert toks[li][1] == 'let', toks[li]
    # back to the if/while at the same depth
    d, k = 0, li
    while True:
        k -= 1
        t = toks[k]
        if t[0] == 'op' and t[1] in CLOSE: d += 1
        elif t[0] == 'op' and t[1] in OPEN:
            d -= 1
            if d < 0: raise SystemExit(f'no if/while found for {path}:{line}')
        elif d == 0 and t[0] == 'id' and t[1] in ('if', 'while'):
            break
    kw = k
    # condition: until `{` at depth 0, not in a let pattern
    conjs, cur, j, inpat = [], [], kw + 1, False
    while True:
        t = toks[j]
        if t[0] == 'id' and t[1] == 'let': inpat = True
        if t[0] == 'op' and t[1] == '=' and inpat: inpat = False
        if t[0] == 'op' and t[1] == '{' and not inpat:
            break
        if t[0] == 'op' and t[1] in OPEN:
            e = match_close(toks, j)
            cur.append((j, e)); j = e + 1; continue
        if t[0] == 'op' and t[1] == '&&':
            conjs.append(cur); cur = []; j += 1; continue
        cur.append((j, j)); j += 1
    conjs.append(cur)
    body_open = j
    body_close = match_close(toks, body_open)
    text = lambda a, b: s[toks[a][2]:toks[b][3]]
    ctext = [text(c[0][0], c[-1][1]) for c in conjs]
    islet = [toks[c[0][0]][1] == 'let' for c in conjs]
    body = text(body_open, body_close)
    start, end = toks[kw][2], toks[body_close][3]

    if toks[kw][1] == 'while':
        pre = []
        for c, l in zip(ctext, islet):
            pre.append(f'{c} else {{ break }};' if l else f'if !({c}) {{ break; }}')
        inner = s[toks[body_open][3]:toks[body_close][2]]
        new = 'loop { ' + ' '.join(pre) + inner + '}'
    else:
        has_else = body_close + 1 < len(toks) and toks[body_close + 1][1] == 'else'
        if not has_else:
            new = 'if ' + ' { if '.join(ctext) + ' ' + body + ' }' * (len(ctext) - 1)
        else:
            # else part: `else { .. }` or `else if ...` (whole chain)
            e0 = body_close + 2
            if toks[e0][1] == '{':
                e1 = match_close(toks, e0)
                els = text(e0, e1)
            else:
                # else-if chain: walk to the end of the chain
                k2 = e0
                while True:
                    # k2 at `if`; find its block
                    q = k2 + 1; inpat = False
                    while True:
                        t = toks[q]
                        if t[1] == 'let': inpat = True
                        if t[1] == '=' and inpat: inpat = False
                        if t[1] == '{' and not inpat: break
                        if t[0] == 'op' and t[1] in OPEN: q = match_close(toks, q) + 1; continue
                        q += 1
                    qc = match_close(toks, q)
                    if qc + 1 < len(toks) and toks[qc + 1][1] == 'else':
                        if toks[qc + 2][1] == '{':
                            e1 = match_close(toks, qc + 2); break
                        k2 = qc + 2; continue
                    e1 = qc; break
                els = '{ ' + text(e0, e1) + ' }'
            end = toks[e1][3]
            def gen(i):
                if i == len(ctext):
                    return body
                if islet[i]:
                    m = re.match(r'let\s+(.*?)\s*=\s*(.*)$', ctext[i], re.S)
                    # split at the first top-level `=` token of this conjunct
                    c = conjs[i]
                    eq = next(p for p in c if toks[p[0]][1] == '=' )
                    pat = s[toks[c[1][0]][2]:toks[eq[0] - 1][3]] if eq[0] - 1 >= c[1][0] else ''
                    pat = s[toks[c[0][0]][3]:toks[eq[0]][2]].strip()
                    scr = s[toks[eq[0]][3]:toks[c[-1][1]][3]].strip()
                    g = []
                    k3 = i + 1
                    while k3 < len(ctext) and not islet[k3]:
                        g.append(ctext[k3]); k3 += 1
                    guard = (' if ' + ' && '.join(g)) if g else ''
                    return f'match {scr} {{ {pat}{guard} => {{ {gen(k3)} }} _ => {els} }}'
                g = []
                k3 = i
                while k3 < len(ctext) and not islet[k3]:
                    g.append(ctext[k3]); k3 += 1
                return f'if {" && ".join(g)} {{ {gen(k3)} }} else {els}'
            new = gen(0)
            if kw > 0 and toks[kw - 1][1] == 'else':
                new = '{ ' + new + ' }'
    s2 = s[:start] + new + s[end:]
    open(path, 'w').write(s2)
    print(f'{path}:{line}: rewrote {toks[kw][1]} chain of {len(ctext)} ({"with else" if toks[kw][1]=="if" and "has_else" in dir() and has_else else "no else"})')

main()
