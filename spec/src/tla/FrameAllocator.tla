---------------------------- MODULE FrameAllocator ----------------------------
(***************************************************************************)
(* The physical frame allocator (verimem.kernel.pmm.Pmm) at the level of   *)
(* sets of frame numbers: what its API promises, not how the bitmap keeps  *)
(* it. The trace validation (FrameAllocatorTrace) checks recorded runs of  *)
(* the Java PMM against the actions below, so they follow the code's error *)
(* precedence exactly (e.g. release reports the first problem in address   *)
(* order).                                                                 *)
(*                                                                         *)
(* Every managed frame starts "not free" (reserved); Release hands usable  *)
(* ranges over (the bootstrap's hand-off), and only until the first       *)
(* allocation call (InvalidState after it). `released` is what the hand-off*)
(* gave: a free of a frame outside it (the pre-PMM's page tables, the PMM  *)
(* metadata) is refused with NotOwned. The Java PMM keeps one bit per frame*)
(* plus the never-released runs it records at its first allocation call.   *)
(* `held` is a ghost: the frames the allocator handed out and got no free  *)
(* for, used by the safety invariants only.                                *)
(***************************************************************************)
EXTENDS Integers, FiniteSets

CONSTANTS
    Managed,       \* frame numbers the PMM manages (the usable frames of the map)
    MaxOrder,      \* largest block: 2^MaxOrder frames
    MaxCountdown,  \* fault injection: failAfter(n) for n in 0..MaxCountdown
    NoMemory       \* what a failed allocation returns (Err.NO_MEMORY = -1; a flawed config tries 0)

\* verimem.kernel.arch.Err
OK == 0
NotAllocated == -2
NotManaged == -3
Misaligned == -4
InvalidArgument == -9
NotOwned == -15
InvalidState == -16
Errors == {OK, NoMemory, NotAllocated, NotManaged, Misaligned, InvalidArgument, NotOwned, InvalidState}

ASSUME Managed \subseteq Nat /\ MaxOrder \in Nat /\ MaxCountdown \in Nat /\ NoMemory \in Int

VARIABLES
    free,       \* managed frames that are free
    held,       \* ghost: frames handed out by an allocation and not freed since
    countdown,  \* fault injection: the allocation that brings it from 1 to 0 fails
    last,       \* the last call and its result: [op, res]
    started,    \* some allocation was attempted: the hand-off window is over (Pmm.sealed)
    released    \* frames the hand-off released: the only ones a free may give back

vars == <<free, held, countdown, last, started, released>>

Pow2(k) == 2^k
Block(b, k) == b .. (b + Pow2(k) - 1)
Fits(b, k) == b % Pow2(k) = 0 /\ Block(b, k) \subseteq free
Min(S) == CHOOSE m \in S : \A x \in S : m <= x
\* The countdown step every allocation attempt takes (Pmm.injectedFailure).
Dec(c) == IF c > 0 THEN c - 1 ELSE 0
Injected == countdown = 1

\* Pmm.firstProblem: frames of R in address order; the first that is not managed gives NotManaged,
\* the first that is free gives freeErr.
FirstProblem(R, freeErr) ==
    LET bad == {f \in R : f \notin Managed \/ f \in free}
    IN  IF bad = {} THEN OK
        ELSE IF Min(bad) \notin Managed THEN NotManaged ELSE freeErr

Init ==
    /\ free = {}
    /\ held = {}
    /\ countdown = 0
    /\ last = [op |-> "init", res |-> OK]
    /\ started = FALSE
    /\ released = {}

(* Hand-off: frames [a, b) become free and the allocator's; refused once allocation began. *)
Release(a, b) ==
    LET r == IF b < a THEN Misaligned ELSE IF started THEN InvalidState
             ELSE FirstProblem(a .. (b - 1), InvalidArgument)
    IN  /\ free' = IF r = OK THEN free \cup (a .. (b - 1)) ELSE free
        /\ released' = IF r = OK THEN released \cup (a .. (b - 1)) ELSE released
        /\ last' = [op |-> "release", res |-> r]
        /\ UNCHANGED <<held, countdown, started>>

(* The one-bit PMM before the seal (a flawed design for MCFrameAllocator_LateRelease): release at any time. *)
ReleaseAnyTime(a, b) ==
    LET r == IF b < a THEN Misaligned ELSE FirstProblem(a .. (b - 1), InvalidArgument)
    IN  /\ free' = IF r = OK THEN free \cup (a .. (b - 1)) ELSE free
        /\ released' = IF r = OK THEN released \cup (a .. (b - 1)) ELSE released
        /\ last' = [op |-> "release", res |-> r]
        /\ UNCHANGED <<held, countdown, started>>

(* allocFrame: any free frame; nondeterministic, the trace says which. *)
AllocOk(f) ==
    /\ ~Injected
    /\ f \in free
    /\ free' = free \ {f}
    /\ held' = held \cup {f}
    /\ countdown' = Dec(countdown)
    /\ last' = [op |-> "alloc", res |-> f]
    /\ started' = TRUE
    /\ UNCHANGED released

AllocFail ==
    /\ Injected \/ free = {}
    /\ countdown' = Dec(countdown)
    /\ last' = [op |-> "alloc", res |-> NoMemory]
    /\ UNCHANGED <<free, held, released>>
    /\ started' = TRUE

(* allocAligned(k): 2^k free frames aligned to 2^k frames, first frame b. *)
AllocAlignedOk(k, b) ==
    /\ k \in 0 .. MaxOrder
    /\ ~Injected
    /\ Fits(b, k)
    /\ free' = free \ Block(b, k)
    /\ held' = held \cup Block(b, k)
    /\ countdown' = Dec(countdown)
    /\ last' = [op |-> "allocAligned", res |-> b]
    /\ started' = TRUE
    /\ UNCHANGED released

AllocAlignedFail(k) ==
    \/ /\ k \notin 0 .. MaxOrder
       /\ last' = [op |-> "allocAligned", res |-> InvalidArgument]
       /\ UNCHANGED <<free, held, countdown, released>>
       /\ started' = TRUE
    \/ /\ k \in 0 .. MaxOrder
       /\ Injected \/ Cardinality(free) < Pow2(k) \/ ~\E b \in free : Fits(b, k)
       /\ countdown' = Dec(countdown)
       /\ last' = [op |-> "allocAligned", res |-> NoMemory]
       /\ UNCHANGED <<free, held, released>>
       /\ started' = TRUE

(* freeFrame(f): double free, foreign and never-released frames refused, nothing changed. *)
FreeFrame(f) ==
    LET r == IF f \notin Managed THEN NotManaged ELSE IF f \in free THEN NotAllocated
             ELSE IF f \notin released THEN NotOwned ELSE OK
    IN  /\ free' = IF r = OK THEN free \cup {f} ELSE free
        /\ held' = IF r = OK THEN held \ {f} ELSE held
        /\ last' = [op |-> "free", res |-> r]
        /\ UNCHANGED <<countdown, started, released>>

(* freeAligned(b, k): the whole block, or nothing. *)
FreeAligned(b, k) ==
    LET p == FirstProblem(Block(b, k), NotAllocated)
        r == IF k \notin 0 .. MaxOrder THEN InvalidArgument
             ELSE IF b < 0 \/ b % Pow2(k) # 0 THEN Misaligned
             ELSE IF p # OK THEN p
             ELSE IF ~(Block(b, k) \subseteq released) THEN NotOwned ELSE OK
    IN  /\ free' = IF r = OK THEN free \cup Block(b, k) ELSE free
        /\ held' = IF r = OK THEN held \ Block(b, k) ELSE held
        /\ last' = [op |-> "freeAligned", res |-> r]
        /\ UNCHANGED <<countdown, started, released>>

(* Any call with a byte address that is not frame aligned: refused, nothing changed. *)
RefuseUnaligned(op) ==
    /\ last' = [op |-> op, res |-> Misaligned]
    /\ UNCHANGED <<free, held, countdown, started, released>>

FailAfter(n) ==
    /\ countdown' = n
    /\ last' = [op |-> "failAfter", res |-> OK]
    /\ UNCHANGED <<free, held, started, released>>

-----------------------------------------------------------------------------
(* Safety *)
TypeOK ==
    /\ free \subseteq Managed
    /\ held \subseteq Managed
    /\ countdown \in 0 .. MaxCountdown
    /\ last.res \in Managed \cup Errors

\* A frame handed out is never also free (no frame handed out twice).
HeldNeverFree == held \cap free = {}
\* Only managed (usable) frames are ever free or handed out: no reserved or foreign frame leaks in.
OnlyManagedFrames == free \cup held \subseteq Managed
\* A frame the hand-off kept back (boot page tables, PMM metadata) is never free nor handed out.
NeverReleasedNeverFree == free \cup held \subseteq released
\* An allocation's result is a frame or the failure value, never both. Frame 0 may be managed, so
\* a design that returns physical 0 for "out of memory" (PowerNex) breaks this.
ResultUnambiguous ==
    last.op \in {"alloc", "allocAligned"} =>
        /\ last.res \in Managed \cup {NoMemory, InvalidArgument}
        /\ last.res \in Managed => last.res \notin {NoMemory, InvalidArgument}

\* An allocation fails only when it must: injected failure, or no (aligned) free block at all.
NoSpuriousFailure ==
    [][ (last'.op \in {"alloc", "allocAligned"} /\ last'.res = NoMemory)
          => (countdown = 1 \/ \E k \in 0 .. MaxOrder : ~\E b \in free : Fits(b, k)) ]_vars
\* A refused free changes nothing (double-free detection).
RefusedFreeChangesNothing ==
    [][ (last'.op \in {"free", "freeAligned", "release"} /\ last'.res # OK)
          => UNCHANGED <<free, held, released>> ]_vars
=============================================================================
