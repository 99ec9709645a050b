------------------------------ MODULE Bootstrap ------------------------------
(***************************************************************************)
(* The chicken-and-egg of the boot (../shared/DESIGN.md): the PMM needs    *)
(* mapped memory for its metadata, mapping needs page-table frames, and    *)
(* those come from the PMM, which does not exist yet. verimem's answer     *)
(* (verimem.kernel.boot.Bootstrap): a pre-PMM that uses the carved         *)
(* firmware map as its heap takes one run of frames for the metadata; the  *)
(* early mapper maps it, taking table frames from the pre-PMM; the mapping *)
(* is zeroed through those pages; then the PMM takes over every usable     *)
(* frame the pre-PMM did not hand out. A failure before the PMM exists is  *)
(* rolled back completely ("not enough memory"). Then the VMM maps and     *)
(* unmaps with frames from the PMM.                                        *)
(*                                                                         *)
(* Addresses are in half frames, so a map entry can end in the middle of a *)
(* frame; usable entries are rounded inwards to whole frames, everything   *)
(* else outwards (a frame that is partly ACPI is not usable).              *)
(***************************************************************************)
EXTENDS Integers, FiniteSets, Sequences, TLC

CONSTANTS
    NFrames,      \* physical frames 0 .. NFrames-1
    Regions,      \* the firmware map: sequence of [lo, hi, type], bounds in half frames, hi exclusive
    Carved,       \* frames the kernel carves out of usable memory: low memory, kernel image, boot info
    EarlyMapped,  \* virtual pages the loader mapped (kernel image, identity window): tables already exist
    MetaVA,       \* virtual pages for the PMM metadata, in address order
    VmmVA,        \* virtual pages the VMM maps after the hand-off
    Dir(_),       \* the page table that holds the entry of a virtual page
    Flaw          \* "none" or a flawed design to refute (see the actions)

Frames == 0 .. NFrames - 1
NoMemory == -1
ASSUME NoMemory \notin Frames

\* Frames entirely inside some usable entry (rounded inwards), minus any frame touched by another entry.
InEntry(f, r) == r.lo <= 2 * f /\ 2 * f + 2 <= r.hi
Touches(f, r) == r.lo < 2 * f + 2 /\ 2 * f < r.hi
FirmwareUsable ==
    {f \in Frames : /\ \E k \in DOMAIN Regions : Regions[k].type = "usable" /\ InEntry(f, Regions[k])
                    /\ \A k \in DOMAIN Regions : Regions[k].type # "usable" => ~Touches(f, Regions[k])}
Usable == FirmwareUsable \ Carved
\* What a careless hand-off would take: every frame a usable entry touches (rounded outwards, carve-outs kept).
RoundedOut == {f \in Frames : \E k \in DOMAIN Regions : Regions[k].type = "usable" /\ Touches(f, Regions[k])}

MetaPages == Len(MetaVA)
MetaSet == {MetaVA[i] : i \in 1 .. MetaPages}
Runs == {b \in Frames : b .. (b + MetaPages - 1) \subseteq Usable}
TablesFor(pages) == {Dir(p) : p \in pages}
Min(S) == CHOOSE m \in S : \A x \in S : m <= x

VARIABLES
    phase,      \* "start", "map", "zero", "running", "oom"
    ptFrames,   \* frames the pre-PMM handed out for page tables
    metaFrames, \* frames the pre-PMM handed out for the PMM metadata
    pmmFree,    \* frames free in the PMM
    pmmUsed,    \* frames the PMM handed to the VMM for data
    vmmPt,      \* frames the PMM handed to the VMM for page tables
    tables,     \* page tables present (their directory names); the loader's are there from the start
    tableFrame, \* directory -> the frame holding it (for tables built after the loader)
    mapped,     \* virtual pages mapped
    vmap,       \* VMM page -> its data frame
    written,    \* virtual pages written
    lastAlloc   \* the pre-PMM's last result: a frame, or NoMemory

vars == <<phase, ptFrames, metaFrames, pmmFree, pmmUsed, vmmPt, tables, tableFrame, mapped, vmap, written,
          lastAlloc>>

Held == ptFrames \cup metaFrames
Taken == Held \cup pmmFree \cup pmmUsed \cup vmmPt
PreAvail == Usable \ Held

Init ==
    /\ phase = "start"
    /\ ptFrames = {} /\ metaFrames = {} /\ pmmFree = {} /\ pmmUsed = {} /\ vmmPt = {}
    /\ tables = TablesFor(EarlyMapped)
    /\ tableFrame = [d \in {} |-> 0]
    /\ mapped = EarlyMapped
    /\ vmap = [p \in {} |-> 0]
    /\ written = {}
    /\ lastAlloc = NoMemory

\* A failure before the PMM exists: everything the pre-PMM handed out goes back, the mappings go.
RollBack ==
    /\ phase' = "oom"
    /\ ptFrames' = {} /\ metaFrames' = {}
    /\ tables' = TablesFor(EarlyMapped)
    /\ tableFrame' = [d \in {} |-> 0]
    /\ mapped' = EarlyMapped
    /\ written' = {}
    /\ lastAlloc' = NoMemory
    /\ UNCHANGED <<pmmFree, pmmUsed, vmmPt, vmap>>

(* Step 2: the pre-PMM takes one run of MetaPages frames (any fitting run). *)
TakeMetadata ==
    /\ phase = "start"
    /\ IF Runs \cap {b \in Frames : b .. (b + MetaPages - 1) \subseteq PreAvail} = {}
       THEN RollBack
       ELSE \E b \in Runs :
              /\ b .. (b + MetaPages - 1) \subseteq PreAvail
              /\ metaFrames' = b .. (b + MetaPages - 1)
              /\ lastAlloc' = b
              /\ phase' = "map"
              /\ UNCHANGED <<ptFrames, pmmFree, pmmUsed, vmmPt, tables, tableFrame, mapped, vmap, written>>

(* Step 3: the early mapper maps metadata page i (pages in order), taking a table frame from the pre-PMM
   when the page's table is missing; no frame left -> roll back. *)
MapMetadata(i) ==
    LET p == MetaVA[i] IN
    /\ phase = "map"
    /\ p \notin mapped
    /\ \A j \in 1 .. (i - 1) : MetaVA[j] \in mapped
    /\ IF Dir(p) \in tables
       THEN /\ mapped' = mapped \cup {p}
            /\ UNCHANGED <<ptFrames, tables, tableFrame, lastAlloc>>
       ELSE \E f \in PreAvail :
              /\ ptFrames' = ptFrames \cup {f}
              /\ tables' = tables \cup {Dir(p)}
              /\ tableFrame' = tableFrame @@ (Dir(p) :> f)
              /\ mapped' = mapped \cup {p}
              /\ lastAlloc' = f
    /\ phase' = IF i = MetaPages THEN "zero" ELSE "map"
    /\ UNCHANGED <<metaFrames, pmmFree, pmmUsed, vmmPt, vmap, written>>

\* No frame for the table: roll back. The flawed design "NoRollBack" has no such step, so the boot
\* stops halfway (TLC reports the deadlock).
MapMetadataFails(i) ==
    /\ Flaw # "NoRollBack"
    /\ phase = "map"
    /\ MetaVA[i] \notin mapped
    /\ \A j \in 1 .. (i - 1) : MetaVA[j] \in mapped
    /\ Dir(MetaVA[i]) \notin tables
    /\ PreAvail = {}
    /\ RollBack

(* Step 3b: zero the metadata through its mapping, page by page. The flawed design "ZeroWhileMapping"
   starts zeroing as soon as the run is taken, before its pages are all mapped. *)
ZeroMetadata(p) ==
    /\ phase = "zero" \/ (Flaw = "ZeroWhileMapping" /\ phase = "map")
    /\ p \in MetaSet \ written
    /\ written' = written \cup {p}
    /\ UNCHANGED <<phase, ptFrames, metaFrames, pmmFree, pmmUsed, vmmPt, tables, tableFrame, mapped, vmap,
                   lastAlloc>>

(* Steps 4-5: the PMM exists; the hand-off releases every usable frame the pre-PMM did not hand out.
   Flawed hand-offs: "HandOffAll" forgets the pre-PMM's allocations, "HandOffRoundedOut" releases every
   frame a usable entry touches, carve-outs and half-usable frames included. *)
HandOff ==
    /\ phase = "zero"
    /\ written = MetaSet
    /\ pmmFree' = CASE Flaw = "HandOffAll" -> Usable
                    [] Flaw = "HandOffRoundedOut" -> RoundedOut \ Held
                    [] OTHER -> Usable \ Held
    /\ phase' = "running"
    /\ UNCHANGED <<ptFrames, metaFrames, pmmUsed, vmmPt, tables, tableFrame, mapped, vmap, written, lastAlloc>>

(* The VMM maps page v: a table frame first if v's table is missing, then a data frame; both from the PMM.
   Out of frames: the call fails and nothing changes (nothing to model). *)
VmmMap(v) ==
    /\ phase = "running"
    /\ v \notin mapped
    /\ LET needTable == Dir(v) \notin tables
           n == IF needTable THEN 2 ELSE 1
       IN  /\ Cardinality(pmmFree) >= n
           /\ LET d == Min(pmmFree)
                  t == Min(pmmFree \ {d})
              IN  /\ vmap' = vmap @@ (v :> d)
                  /\ pmmUsed' = pmmUsed \cup {d}
                  /\ vmmPt' = IF needTable THEN vmmPt \cup {t} ELSE vmmPt
                  /\ pmmFree' = pmmFree \ (IF needTable THEN {d, t} ELSE {d})
                  /\ tables' = IF needTable THEN tables \cup {Dir(v)} ELSE tables
                  /\ tableFrame' = IF needTable THEN tableFrame @@ (Dir(v) :> t) ELSE tableFrame
           /\ mapped' = mapped \cup {v}
    /\ UNCHANGED <<phase, ptFrames, metaFrames, written, lastAlloc>>

\* The VMM reclaims a table it built when its last page goes; boot-built tables stay.
VmmUnmap(v) ==
    /\ phase = "running"
    /\ v \in mapped /\ v \in DOMAIN vmap
    /\ LET d == vmap[v]
           lastInTable == \A w \in (mapped \ {v}) : Dir(w) # Dir(v)
           ownTable == Dir(v) \in DOMAIN tableFrame /\ tableFrame[Dir(v)] \in vmmPt
           reclaim == lastInTable /\ ownTable
       IN  /\ pmmUsed' = pmmUsed \ {d}
           /\ vmmPt' = IF reclaim THEN vmmPt \ {tableFrame[Dir(v)]} ELSE vmmPt
           /\ pmmFree' = pmmFree \cup {d} \cup (IF reclaim THEN {tableFrame[Dir(v)]} ELSE {})
           /\ tables' = IF reclaim THEN tables \ {Dir(v)} ELSE tables
           /\ tableFrame' = IF reclaim THEN [x \in DOMAIN tableFrame \ {Dir(v)} |-> tableFrame[x]]
                            ELSE tableFrame
    /\ mapped' = mapped \ {v}
    /\ vmap' = [x \in DOMAIN vmap \ {v} |-> vmap[x]]
    /\ written' = written \ {v}
    /\ UNCHANGED <<phase, ptFrames, metaFrames, lastAlloc>>

VmmWrite(v) ==
    /\ phase = "running"
    /\ v \in mapped \cap VmmVA
    /\ v \notin written
    /\ written' = written \cup {v}
    /\ UNCHANGED <<phase, ptFrames, metaFrames, pmmFree, pmmUsed, vmmPt, tables, tableFrame, mapped, vmap,
                   lastAlloc>>

\* The two final states stutter: a stop anywhere else is a deadlock, which TLC reports.
Finished == phase \in {"running", "oom"} /\ UNCHANGED vars

BootStep ==
    \/ TakeMetadata
    \/ \E i \in 1 .. MetaPages : MapMetadata(i) \/ MapMetadataFails(i)
    \/ \E p \in MetaSet : ZeroMetadata(p)
    \/ HandOff

Next ==
    \/ BootStep
    \/ \E v \in VmmVA : VmmMap(v) \/ VmmUnmap(v) \/ VmmWrite(v)
    \/ Finished

Spec == Init /\ [][Next]_vars /\ WF_vars(BootStep)
\* Without fairness the boot may stutter forever: the liveness properties must then fail (they are not vacuous).
UnfairSpec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
TypeOK ==
    /\ phase \in {"start", "map", "zero", "running", "oom"}
    /\ Taken \subseteq Frames
    /\ lastAlloc \in Frames \cup {NoMemory}

\* No frame has two owners.
NoTwoOwners ==
    LET owners == <<ptFrames, metaFrames, pmmFree, pmmUsed, vmmPt>>
    IN  \A a, b \in 1 .. 5 : a < b => owners[a] \cap owners[b] = {}
\* No reserved, half-usable, carved-out (low memory, kernel, boot info) frame is ever handed out.
NothingReservedHandedOut == Taken \subseteq Usable
\* Every write goes to a mapped page (the metadata is mapped before it is zeroed).
WritesMapped == written \subseteq mapped /\ (phase = "zero" => MetaSet \subseteq mapped)
\* After the hand-off every usable frame is accounted for exactly once (with NoTwoOwners).
HandOffExact == phase = "running" => Taken = Usable
\* Physical 0 is never the failure value: the pre-PMM's failure is not a frame, and frame 0 is never handed out.
ZeroNeverFailure == lastAlloc # 0 /\ 0 \notin Taken
\* "Not enough memory" is a clean state: nothing held, only the loader's mappings.
CleanStop == phase = "oom" => (Held = {} /\ mapped = EarlyMapped /\ pmmFree = {})

\* Enough memory: a run for the metadata and frames for its tables.
EnoughMemory ==
    /\ Runs # {}
    /\ Cardinality(Usable) >= MetaPages + Cardinality(TablesFor(MetaSet) \ TablesFor(EarlyMapped))
Terminates == <>(phase \in {"running", "oom"})
InitialisedWhenEnough == EnoughMemory => <>(phase = "running")
StopsCleanlyOtherwise == ~EnoughMemory => <>(phase = "oom")
=============================================================================
