------------------------- MODULE FrameAllocatorTrace -------------------------
(***************************************************************************)
(* Trace validation of the Java PMM against FrameAllocator (after Cirstea, *)
(* Kuppe, Loillier, Merz 2024). PmmTraceData, written by the recorder in   *)
(* the spec module's tests, holds one recorded run of verimem.kernel.pmm.  *)
(* Pmm: the managed frames, the free frames when recording started (the    *)
(* state the bootstrap's hand-off left, or none), and one record per call: *)
(* the operation, its arguments as frame numbers, its result, and what the *)
(* PMM reported afterwards (free count; isFree of the frames the call      *)
(* touched). Each step must be an action of FrameAllocator that matches    *)
(* the call and produces a state agreeing with the observations; the last  *)
(* state must equal the PMM's full free set. A call no action explains     *)
(* leaves TLC without a successor: exit 11 (deadlock) names the step i.    *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, PmmTraceData

VARIABLES free, held, countdown, last, started, released, i

FA == INSTANCE FrameAllocator WITH Managed <- TraceManaged, MaxOrder <- TraceMaxOrder,
                                  MaxCountdown <- TraceMaxCountdown, NoMemory <- -1

vars == <<free, held, countdown, last, started, released, i>>

\* Link to the boot path (Bootstrap's HandOffComplete): when recording starts right after the hand-off,
\* the free frames are exactly the managed frames the pre-PMM did not hand out (page tables, metadata).
ASSUME /\ TraceReserved \subseteq TraceManaged
       /\ TraceInitFree = TraceManaged \ TraceReserved

Init ==
    /\ free = TraceInitFree
    /\ held = {}
    /\ countdown = 0
    /\ last = [op |-> "init", res |-> FA!OK]
    /\ started = FALSE
    /\ released = TraceInitFree   \* what the hand-off released before recording (none, or all but TraceReserved)
    /\ i = 1

\* The call record e is explained by one FrameAllocator action with the same arguments and result.
Explains(e) ==
    CASE e.op = "release"      -> FA!Release(e.a, e.b)
      [] e.op = "alloc"        -> IF e.res >= 0 THEN FA!AllocOk(e.res) ELSE FA!AllocFail
      [] e.op = "allocAligned" -> IF e.res >= 0 THEN FA!AllocAlignedOk(e.k, e.res) ELSE FA!AllocAlignedFail(e.k)
      [] e.op = "free"         -> FA!FreeFrame(e.a)
      [] e.op = "freeAligned"  -> FA!FreeAligned(e.a, e.k)
      [] e.op = "unaligned"    -> FA!RefuseUnaligned("unaligned")
      [] e.op = "failAfter"    -> FA!FailAfter(e.k)

\* What the PMM reported after the call agrees with the spec's next state.
Observed(e) ==
    /\ last'.res = e.res
    /\ Cardinality(free') = e.nfree
    /\ e.isFree \subseteq free'
    /\ e.notFree \cap free' = {}

Step ==
    /\ i <= Len(Trace)
    /\ Explains(Trace[i])
    /\ Observed(Trace[i])
    /\ i' = i + 1

\* The whole trace was explained and the PMM's final free set is the spec's: stutter here.
Done ==
    /\ i = Len(Trace) + 1
    /\ free = TraceFinalFree
    /\ UNCHANGED vars

Next == Step \/ Done
(* No invariant is checked here: every action keeps free within TraceManaged by construction; the     *)
(* random call mix tries late releases and frees of never-released frames, which must be refused.    *)
=============================================================================
