------------------------------ MODULE PageTable ------------------------------
(***************************************************************************)
(* A small multi-level page table (verimem.kernel.vmm.AddressSpace): a top *)
(* table of Entries entries, each pointing to a leaf table of Entries      *)
(* entries, leaf tables taken from a pool of table frames (the PMM) and    *)
(* given back when their last entry goes. Map, unmap, protect; the         *)
(* hardware walks the tables and caches translations in a TLB, which keeps *)
(* them, stale or not, until invlpg. An API call that removes or narrows a *)
(* translation is two steps: the table write, then the flush it owes       *)
(* (the flush token of the Rust x86_64 crate's API); nothing else runs on  *)
(* this CPU in between, but the hardware may fill and evict TLB entries.   *)
(*                                                                         *)
(* Main invariant: once the API's flush is done, the translation the       *)
(* hardware would make for every page, from the TLB if cached else from a  *)
(* walk, is the abstract mapping.                                          *)
(***************************************************************************)
EXTENDS Integers, FiniteSets

CONSTANTS
    Entries,      \* entries per table (top and leaf)
    VAs,          \* the pages the client uses: <<top index, leaf index>>
    DataFrames,   \* frames the client maps
    TableFrames,  \* the pool of frames for leaf tables
    Flaw          \* "none", "NoFlushOnUnmap", "NoFlushOnProtect", "NoReclaim"

None == [none |-> TRUE]
Idx == 0 .. (Entries - 1)
Pte == [frame : DataFrames, writable : BOOLEAN]
ASSUME VAs \subseteq Idx \X Idx /\ None \notin Pte

VARIABLES
    top,        \* top-level table: index -> leaf table frame, or None
    leaf,       \* table frame -> its entries: index -> Pte or None
    pool,       \* table frames not in use (zeroed)
    tlb,        \* page -> cached translation or None
    pending,    \* the page whose invlpg the current API call still owes, or None
    amap        \* the abstract mapping the API promises: page -> Pte or None

vars == <<top, leaf, pool, tlb, pending, amap>>

EmptyTable == [i \in Idx |-> None]
Walk(va) == IF top[va[1]] = None THEN None ELSE leaf[top[va[1]]][va[2]]
\* What the CPU uses: a TLB hit, stale or not, else a walk.
Hardware(va) == IF tlb[va] # None THEN tlb[va] ELSE Walk(va)
Idle == pending = None

Init ==
    /\ top = [i \in Idx |-> None]
    /\ leaf = [t \in TableFrames |-> EmptyTable]
    /\ pool = TableFrames
    /\ tlb = [va \in VAs |-> None]
    /\ pending = None
    /\ amap = [va \in VAs |-> None]

(* map: a leaf table from the pool if the top entry is empty (none left: NO_MEMORY, nothing changes).
   A not-present entry is never cached, so no flush is owed. *)
Map(va, p) ==
    /\ Idle
    /\ amap[va] = None
    /\ IF top[va[1]] # None
       THEN /\ leaf' = [leaf EXCEPT ![top[va[1]]][va[2]] = p]
            /\ UNCHANGED <<top, pool>>
       ELSE \E t \in pool :
              /\ top' = [top EXCEPT ![va[1]] = t]
              /\ leaf' = [leaf EXCEPT ![t][va[2]] = p]
              /\ pool' = pool \ {t}
    /\ amap' = [amap EXCEPT ![va] = p]
    /\ UNCHANGED <<tlb, pending>>

(* unmap: clear the entry; a leaf table left empty goes back to the pool ("NoReclaim" keeps it). *)
Unmap(va) ==
    /\ Idle
    /\ amap[va] # None
    /\ LET t == top[va[1]]
           cleared == [leaf[t] EXCEPT ![va[2]] = None]
           reclaim == cleared = EmptyTable /\ Flaw # "NoReclaim"
       IN  /\ leaf' = [leaf EXCEPT ![t] = cleared]
           /\ top' = IF reclaim THEN [top EXCEPT ![va[1]] = None] ELSE top
           /\ pool' = IF reclaim THEN pool \cup {t} ELSE pool
    /\ amap' = [amap EXCEPT ![va] = None]
    /\ pending' = IF Flaw = "NoFlushOnUnmap" THEN None ELSE va
    /\ UNCHANGED tlb

(* protect: change the flags of a mapped page. *)
Protect(va, w) ==
    /\ Idle
    /\ amap[va] # None
    /\ amap[va].writable # w
    /\ LET p == [amap[va] EXCEPT !.writable = w]
       IN  /\ leaf' = [leaf EXCEPT ![top[va[1]]][va[2]] = p]
           /\ amap' = [amap EXCEPT ![va] = p]
    /\ pending' = IF Flaw = "NoFlushOnProtect" THEN None ELSE va
    /\ UNCHANGED <<top, pool, tlb>>

(* the flush the call owes: invlpg of the page. *)
Flush ==
    /\ ~Idle
    /\ tlb' = [tlb EXCEPT ![pending] = None]
    /\ pending' = None
    /\ UNCHANGED <<top, leaf, pool, amap>>

(* the hardware: caches what a walk finds, forgets entries when it likes. *)
TlbFill(va) ==
    /\ Walk(va) # None
    /\ tlb' = [tlb EXCEPT ![va] = Walk(va)]
    /\ UNCHANGED <<top, leaf, pool, pending, amap>>

TlbEvict(va) ==
    /\ tlb[va] # None
    /\ tlb' = [tlb EXCEPT ![va] = None]
    /\ UNCHANGED <<top, leaf, pool, pending, amap>>

Next ==
    \/ \E va \in VAs : \/ \E p \in Pte : Map(va, p)
                       \/ Unmap(va)
                       \/ \E w \in BOOLEAN : Protect(va, w)
                       \/ TlbFill(va) \/ TlbEvict(va)
    \/ Flush

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
TypeOK ==
    /\ top \in [Idx -> TableFrames \cup {None}]
    /\ pool \subseteq TableFrames
    /\ pending \in VAs \cup {None}
    /\ \A va \in VAs : amap[va] \in Pte \cup {None} /\ tlb[va] \in Pte \cup {None}

\* After the API's flush, the hardware's translation of every page is the abstract mapping.
TranslationAgrees == Idle => \A va \in VAs : Hardware(va) = amap[va]
\* The tables themselves always hold the abstract mapping (the walk never lags).
WalkAgrees == \A va \in VAs : Walk(va) = amap[va]
\* Every table frame is either in the pool (and zeroed) or linked from exactly one top entry.
TableFramesAccounted ==
    /\ \A t \in pool : leaf[t] = EmptyTable /\ \A i \in Idx : top[i] # t
    /\ \A t \in TableFrames \ pool : Cardinality({i \in Idx : top[i] = t}) = 1
\* No empty leaf table stays linked after an unmap (empty tables are reclaimed).
NoEmptyTables == \A i \in Idx : top[i] # None => leaf[top[i]] # EmptyTable
=============================================================================
