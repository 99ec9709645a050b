--------------------------- MODULE MCFrameAllocator ---------------------------
(* TLC model of FrameAllocator: 17 managed frames in two usable ranges with a *)
(* hole at frame 8 (the map's reserved entry), frame 0 managed. The callers    *)
(* release whole ranges and bad ones, allocate, free what they hold and probe  *)
(* double frees, holes and frames past the end. *)
EXTENDS FrameAllocator

\* Release is the hand-off's API: one bit per frame cannot tell an allocated frame from a reserved one,
\* so a release after allocations would hand allocated frames out again. Release refuses that
\* (InvalidState); LateRelease = TRUE uses ReleaseAnyTime, the PMM without that rule (a config that
\* must fail, showing why the rule is needed).
CONSTANT LateRelease

MCManaged == (0 .. 7) \cup (9 .. 17)
\* [a, b): the two usable ranges, one across the hole, one reversed, one single frame (so that a late
\* release can meet a frame that is handed out while the rest of its range is not free)
MCReleases == {<<0, 8>>, <<9, 18>>, <<6, 10>>, <<5, 4>>, <<3, 4>>}
\* frames a caller may name wrongly: managed, the hole, past the end, negative
MCProbes == {3, 8, 18, -1}
MCMaxHeld == 2
\* Err.NO_MEMORY; the flawed config ZeroIsFailure uses physical 0 instead (PowerNex)
MCNoMemory == -1
MCZeroIsFailure == 0

Next ==
    \/ \E r \in MCReleases : IF LateRelease THEN ReleaseAnyTime(r[1], r[2]) ELSE Release(r[1], r[2])
    \/ \E f \in free : AllocOk(f)
    \/ AllocFail
    \/ \E k \in 0 .. MaxOrder + 1 : AllocAlignedFail(k)
    \/ \E k \in 1 .. MaxOrder : \E b \in free : AllocAlignedOk(k, b)   \* order 0 is AllocOk's frame
    \/ \E f \in held \cup MCProbes : FreeFrame(f)
    \/ \E k \in 1 .. MaxOrder + 1 : \E b \in held \cup MCProbes : FreeAligned(b, k)
    \/ \E n \in 0 .. MaxCountdown : FailAfter(n)

Spec == Init /\ [][Next]_vars

\* Bound the search: at most MCMaxHeld frames handed out at once.
HeldBound == Cardinality(held) <= MCMaxHeld
=============================================================================
