/* CPU exception entry points 0..31: push a uniform frame (vector, error code, 15 GPRs) and call trap(frame).
 * trap returns only when the fault was handled (a page fault the memory manager resolved); then we resume. */
        .macro isr n
isr\n:
        .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
        .else
        push $0                              /* no CPU error code: keep the frame uniform */
        .endif
        push $\n
        jmp isr_common
        .endm

        .text
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        isr \n
        .endr

isr_common:
        .irp r, rax,rbx,rcx,rdx,rsi,rdi,rbp,r8,r9,r10,r11,r12,r13,r14,r15
        push %\r
        .endr
        mov %rsp, %rdi
        cld
        call trap
        .irp r, r15,r14,r13,r12,r11,r10,r9,r8,rbp,rdi,rsi,rdx,rcx,rbx,rax
        pop %\r
        .endr
        add $16, %rsp                        /* vector and error code */
        iretq

        .section .rodata
        .globl isr_table
        .align 8
isr_table:
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .quad isr\n
        .endr

        .section .note.GNU-stack, "", @progbits
