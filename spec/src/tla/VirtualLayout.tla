---------------------------- MODULE VirtualLayout ----------------------------
(***************************************************************************)
(* The kernel's virtual layout (verimem.kernel.arch.Layout) and its two    *)
(* known traps (../shared/DESIGN.md), in pages:                            *)
(*  - kmalloc returns direct-mapped addresses (DirectBase + frame) while   *)
(*    vmalloc picks addresses in its own range: the two must never hand   *)
(*    out the same virtual page. Layout gives them different top-level     *)
(*    slots; the flawed config lets the vmalloc range start inside the     *)
(*    direct map.                                                          *)
(*  - one region holds the heap, growing up from its bottom, and MMIO,     *)
(*    growing down from its top (verimem.kernel.heap.HeapMmioRegion);      *)
(*    neither mark may pass the other minus a guard gap, and meeting is a  *)
(*    clean "no virtual space". The flawed config ("NoGuard") checks each  *)
(*    side against the region's end only.                                  *)
(***************************************************************************)
EXTENDS Integers, FiniteSets

CONSTANTS
    NFrames,       \* physical frames 0 .. NFrames-1, all direct-mapped
    DirectBase,    \* first page of the direct map
    VmallocBase,   \* vmalloc range [VmallocBase, VmallocBase + VmallocPages)
    VmallocPages,
    RegionBase,    \* heap + MMIO region [RegionBase, RegionBase + RegionPages)
    RegionPages,
    Guard,         \* pages kept unmapped between heap and MMIO
    Grow,          \* sizes (pages) a heap growth or MMIO mapping asks for
    MaxVmalloc,    \* bound for TLC: vmalloc areas held at once
    MaxKmalloc,    \* bound for TLC: kmalloc frames held at once
    Flaw           \* "none" or "NoGuard"

Frames == 0 .. NFrames - 1
VmallocRange == VmallocBase .. (VmallocBase + VmallocPages - 1)

VARIABLES
    kframes,    \* frames kmalloc handed out (virtual page DirectBase + f)
    vareas,     \* vmalloc areas in use: set of [base, len]
    heapTop,    \* heap: [RegionBase, RegionBase + heapTop)
    mmioBottom  \* MMIO: [RegionBase + mmioBottom, RegionBase + RegionPages)

vars == <<kframes, vareas, heapTop, mmioBottom>>

PagesOf(a) == a.base .. (a.base + a.len - 1)
KmallocPages == {DirectBase + f : f \in kframes}
VmallocInUse == UNION {PagesOf(a) : a \in vareas}
HeapPages == RegionBase .. (RegionBase + heapTop - 1)
MmioPages == (RegionBase + mmioBottom) .. (RegionBase + RegionPages - 1)

Init ==
    /\ kframes = {}
    /\ vareas = {}
    /\ heapTop = 0
    /\ mmioBottom = RegionPages

Kmalloc(f) ==
    /\ Cardinality(kframes) < MaxKmalloc
    /\ f \notin kframes
    /\ kframes' = kframes \cup {f} /\ UNCHANGED <<vareas, heapTop, mmioBottom>>
Kfree(f) == f \in kframes /\ kframes' = kframes \ {f} /\ UNCHANGED <<vareas, heapTop, mmioBottom>>

\* vmalloc: any run of n pages of its range that no area uses (first fit or not: any choice must be safe).
Vmalloc(n) ==
    /\ Cardinality(vareas) < MaxVmalloc
    /\ \E b \in VmallocRange :
         /\ b .. (b + n - 1) \subseteq VmallocRange \ VmallocInUse
         /\ vareas' = vareas \cup {[base |-> b, len |-> n]}
    /\ UNCHANGED <<kframes, heapTop, mmioBottom>>
Vfree(a) == a \in vareas /\ vareas' = vareas \ {a} /\ UNCHANGED <<kframes, heapTop, mmioBottom>>

\* The checks HeapMmioRegion makes before moving a mark.
HeapFits(n) == IF Flaw = "NoGuard" THEN heapTop + n <= RegionPages ELSE heapTop + n + Guard <= mmioBottom
MmioFits(n) == IF Flaw = "NoGuard" THEN mmioBottom - n >= 0 ELSE mmioBottom - n - Guard >= heapTop

HeapGrow(n) == HeapFits(n) /\ heapTop' = heapTop + n /\ UNCHANGED <<kframes, vareas, mmioBottom>>
HeapShrink(n) == heapTop >= n /\ heapTop' = heapTop - n /\ UNCHANGED <<kframes, vareas, mmioBottom>>
MmioMap(n) == MmioFits(n) /\ mmioBottom' = mmioBottom - n /\ UNCHANGED <<kframes, vareas, heapTop>>
MmioUnmap(n) ==
    /\ mmioBottom + n <= RegionPages
    /\ mmioBottom' = mmioBottom + n
    /\ UNCHANGED <<kframes, vareas, heapTop>>

Next ==
    \/ \E f \in Frames : Kmalloc(f) \/ Kfree(f)
    \/ \E n \in Grow : Vmalloc(n) \/ HeapGrow(n) \/ HeapShrink(n) \/ MmioMap(n) \/ MmioUnmap(n)
    \/ \E a \in vareas : Vfree(a)

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
\* kmalloc and vmalloc never hand out the same virtual page.
NoKmallocVmallocAlias == KmallocPages \cap VmallocInUse = {}
\* vmalloc areas never overlap.
VmallocAreasDisjoint == \A a1, a2 \in vareas : a1 # a2 => PagesOf(a1) \cap PagesOf(a2) = {}
\* Heap and MMIO never overlap and keep the guard gap between them.
HeapMmioApart == HeapPages \cap MmioPages = {} /\ mmioBottom - heapTop >= Guard
=============================================================================
