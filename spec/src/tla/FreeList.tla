------------------------------ MODULE FreeList ------------------------------
(***************************************************************************)
(* The frame allocator designs verimem did not take, modelled to show why: *)
(* a list of free runs [base, len] (Anos keeps a stack of them, LiOS a     *)
(* list). Allocation of n contiguous frames cuts them off the front of a   *)
(* run; a free puts the block back, merged with an adjacent run.           *)
(*   Flaw "BaseByOne": the run's base advances by one frame, whatever n    *)
(*     (the overlapping contiguous blocks seen when running Anos).         *)
(*   Flaw "NoUnlink": a free that merges the block with adjacent runs adds *)
(*     the merged run but does not unlink the old ones, so their frames    *)
(*     sit in the list twice (the corrupted list seen when running LiOS).  *)
(* verimem's PMM keeps one bit per frame instead (FrameAllocator).         *)
(***************************************************************************)
EXTENDS Integers, FiniteSets

CONSTANTS
    InitialRuns,  \* the free runs after the hand-off: set of [base, len]
    Sizes,        \* block sizes callers ask for
    MaxBlocks,    \* bound for TLC: blocks held at once
    Flaw          \* "none", "BaseByOne", "NoUnlink"

VARIABLES
    runs,     \* the free list: set of [base, len]
    blocks    \* blocks handed out and not freed: set of [base, len]

vars == <<runs, blocks>>

FramesOf(r) == r.base .. (r.base + r.len - 1)
FreeFrames == UNION {FramesOf(r) : r \in runs}
HeldFrames == UNION {FramesOf(b) : b \in blocks}
AllFrames == UNION {FramesOf(r) : r \in InitialRuns}

Init ==
    /\ runs = InitialRuns
    /\ blocks = {}

Alloc(n) ==
    /\ Cardinality(blocks) < MaxBlocks
    /\ \E r \in runs :
         /\ r.len >= n
         /\ LET adv == IF Flaw = "BaseByOne" THEN 1 ELSE n
                rest == [base |-> r.base + adv, len |-> r.len - adv]
            IN  runs' = (runs \ {r}) \cup (IF rest.len > 0 THEN {rest} ELSE {})
         /\ blocks' = blocks \cup {[base |-> r.base, len |-> n]}

\* A free coalesces the block with the runs that touch it on either side, unlinking them
\* ("NoUnlink" forgets to unlink them).
Free(b) ==
    /\ b \in blocks
    /\ blocks' = blocks \ {b}
    /\ LET left == {r \in runs : r.base + r.len = b.base}
           right == {r \in runs : r.base = b.base + b.len}
           lo == IF left = {} THEN b.base ELSE (CHOOSE r \in left : TRUE).base
           hi == IF right = {} THEN b.base + b.len
                 ELSE LET r == CHOOSE r \in right : TRUE IN r.base + r.len
           merged == [base |-> lo, len |-> hi - lo]
       IN  runs' = (IF Flaw = "NoUnlink" THEN runs ELSE runs \ (left \cup right)) \cup {merged}

Next == \/ \E n \in Sizes : Alloc(n)
        \/ \E b \in blocks : Free(b)

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
\* The free list never lists a frame twice.
RunsDisjoint == \A r1, r2 \in runs : r1 # r2 => FramesOf(r1) \cap FramesOf(r2) = {}
\* No frame is handed out twice or while free.
NoFrameTwice ==
    /\ \A b1, b2 \in blocks : b1 # b2 => FramesOf(b1) \cap FramesOf(b2) = {}
    /\ HeldFrames \cap FreeFrames = {}
\* Every frame is free or held: none lost, none made up.
Accounted == FreeFrames \cup HeldFrames = AllFrames
=============================================================================
