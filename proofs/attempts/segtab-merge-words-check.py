# Checks the arithmetic the SegmentTable constructor's word bound rests on (key-segtab4, 2026-11-29): the words of
# the merged segments (layOut's sum of (end - base + 63) / 64) never exceed wordsFor(map) (the sum of entryWords),
# and the step invariants of the sum chain (insertion keeps the sum of the words of the stored ranges, counting a
# range that is no range as 0; merging keeps "output words so far <= input words so far"). Mirrors the Java code
# (Java division truncates towards 0) on 20000 random maps and on the e820 maps in /work/shared/memory-maps/.
# Run: python3 proofs/attempts/segtab-merge-words-check.py
import random, re, glob
F=4096; LMAX=2**63-1
def tdiv(a,b):
    q=abs(a)//abs(b); return q if (a>=0)==(b>=0) else -q
def usable(t,s,e): return t==1 and s>=0 and e>=0 and s<=LMAX-F and tdiv(e,F)>tdiv(s+F-1,F)
def entryWords(t,s,e):
    if not usable(t,s,e): return 0
    return tdiv(tdiv(e,F)-tdiv(tdiv(s+F-1,F),64)*64+63,64)
def w(s,e): return tdiv(e-tdiv(s,64)*64+63,64) if 0<=s<e else 0
def pipeline(ents):
    st=[];en=[]
    for t,s,e in ents:
        if usable(t,s,e):
            a=tdiv(s+F-1,F); b=tdiv(e,F); j=len(st)
            st.append(0);en.append(0)
            while j>0 and st[j-1]>a: st[j]=st[j-1]; en[j]=en[j-1]; j-=1
            st[j]=a; en[j]=b
    # invariant: sum of w over sorted == sum entryWords
    assert sum(w(a,b) for a,b in zip(st,en))==sum(entryWords(*x) for x in ents)
    ins=sum(w(a,b) for a,b in zip(st,en))
    S=[];E=list(en);kept=0
    for i in range(len(st)):
        isr=0<=st[i]<E[i]
        if kept>0 and st[i]<=E[kept-1]:
            if E[i]>E[kept-1]: E[kept-1]=E[i]
        elif isr:
            if kept==len(S): S.append(0)
            S[kept]=st[i]; E[kept]=E[i]; kept+=1
        # running invariant: sum out <= sum in over processed prefix
        assert sum(w(S[k],E[k]) for k in range(kept)) <= sum(w(st[k],en[k]) for k in range(i+1))
    tot=0
    for k in range(kept):
        tot+=tdiv(E[k]-tdiv(S[k],64)*64+63,64)
    assert tot<=ins, (tot,ins)
    return tot,ins
random.seed(1)
for it in range(20000):
    n=random.randint(0,12)
    ents=[]
    for _ in range(n):
        scale=random.choice([2**14,2**20,2**30,2**40,2**52])
        s=random.randint(-scale//8,scale); e=s+random.randint(-scale//8,scale//2)
        if random.random()<0.3: s=(s//F)*F
        ents.append((random.choice([1,1,1,2]),s,e))
    pipeline(ents)
# real maps
for f in sorted(glob.glob('/work/shared/memory-maps/*.txt')):
    ents=[]
    for line in open(f):
        if line.startswith('#'): continue
        m=re.search(r'mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\]\s+(\S.*)$',line)
        if m:   # "[mem start-last] type" (inclusive end; new format says "System RAM")
            t=m.group(3).strip()
            ents.append((1 if t in ('usable','System RAM') else 2,int(m.group(1),16),int(m.group(2),16)+1))
            continue
        m=re.search(r'e820: ([0-9a-f]{16}) - ([0-9a-f]{16}) \((\w+)\)',line)
        if m:   # old format "start - end(exclusive) (type)"
            ents.append((1 if m.group(3)=='usable' else 2,int(m.group(1),16),int(m.group(2),16)))
    print(f.split('/')[-1], len(ents), pipeline(ents))
print("ok")
