// Reset, vector table and SystemInit for the nRF52840 (no Nordic MDK).
// The vector table is ours: 16 core exceptions + 48 peripheral interrupts.
// Interrupts in use: UARTE0 (serial REPL reception), PDM (microphone blocks),
// GPIOTE (Pin.irq); with USB: USBD and POWER_CLOCK (VBUS events).
#include <stdint.h>
#include "py/mpconfig.h"
#include "nrf52840.h"

extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;
int main(void);
void UARTE0_UART0_IRQHandler(void);
void PDM_IRQHandler(void);
void GPIOTE_IRQHandler(void);
void USBD_IRQHandler(void);
void POWER_CLOCK_IRQHandler(void);
uint32_t SystemCoreClock = 64000000;

static void nrf_fault(void) {
    // A fault: reset the chip (a board in a classroom comes back to the REPL).
    NVIC_SystemReset();
}

static void nrf_unused_irq(void) {
    for (;;) {
    }
}

void Reset_Handler(void) {
    for (uint32_t *s = &_sidata, *d = &_sdata; d < &_edata;) {
        *d++ = *s++;
    }
    for (uint32_t *d = &_sbss; d < &_ebss;) {
        *d++ = 0;
    }
    SystemInit();
    main();
    NVIC_SystemReset();
}

typedef void (*nrf_vector_t)(void);

__attribute__((section(".isr_vector"), used))
const nrf_vector_t nrf_vectors[16 + NRF52840_IRQ_COUNT] = {
    [0] = (nrf_vector_t)&_estack,
    [1] = Reset_Handler,
    [2] = nrf_fault,            // NMI
    [3] = nrf_fault,            // HardFault
    [4] = nrf_fault,            // MemManage
    [5] = nrf_fault,            // BusFault
    [6] = nrf_fault,            // UsageFault
    [11] = nrf_unused_irq,      // SVCall
    [12] = nrf_unused_irq,      // DebugMon
    [14] = nrf_unused_irq,      // PendSV
    [15] = nrf_unused_irq,      // SysTick
    [16 ... 16 + NRF52840_IRQ_COUNT - 1] = nrf_unused_irq,
    [16 + UARTE0_UART0_IRQn] = UARTE0_UART0_IRQHandler,
    [16 + PDM_IRQn] = PDM_IRQHandler,
    [16 + GPIOTE_IRQn] = GPIOTE_IRQHandler,
    #if MICROPY_HW_ENABLE_USBDEV
    [16 + USBD_IRQn] = USBD_IRQHandler,
    [16 + POWER_CLOCK_IRQn] = POWER_CLOCK_IRQHandler,
    #endif
};

// The chip's revision, from the FICR words Nordic's errata sheet checks
// (0x10000130: part family, 8 = nRF52840; 0x10000134: 0 = engineering A).
#define NRF_ERRATA_PART (*(volatile uint32_t *)0x10000130u)
#define NRF_ERRATA_REV  (*(volatile uint32_t *)0x10000134u)

void SystemInit(void) {
    int is_52840 = NRF_ERRATA_PART == 0x8u;
    int eng_a = is_52840 && NRF_ERRATA_REV == 0x0u;

    // Errata 36 (CLOCK: some registers are not reset when expected).
    if (is_52840) {
        NRF_CLOCK->EVENTS_DONE = 0;
        NRF_CLOCK->EVENTS_CTTO = 0;
        NRF_CLOCK->CTIV = 0;
    }
    // Errata 66 (TEMP: linearity): load the calibration from FICR.
    if (is_52840) {
        NRF_TEMP->A0 = NRF_FICR->TEMP.A0;
        NRF_TEMP->A1 = NRF_FICR->TEMP.A1;
        NRF_TEMP->A2 = NRF_FICR->TEMP.A2;
        NRF_TEMP->A3 = NRF_FICR->TEMP.A3;
        NRF_TEMP->A4 = NRF_FICR->TEMP.A4;
        NRF_TEMP->A5 = NRF_FICR->TEMP.A5;
        NRF_TEMP->B0 = NRF_FICR->TEMP.B0;
        NRF_TEMP->B1 = NRF_FICR->TEMP.B1;
        NRF_TEMP->B2 = NRF_FICR->TEMP.B2;
        NRF_TEMP->B3 = NRF_FICR->TEMP.B3;
        NRF_TEMP->B4 = NRF_FICR->TEMP.B4;
        NRF_TEMP->B5 = NRF_FICR->TEMP.B5;
        NRF_TEMP->T0 = NRF_FICR->TEMP.T0;
        NRF_TEMP->T1 = NRF_FICR->TEMP.T1;
        NRF_TEMP->T2 = NRF_FICR->TEMP.T2;
        NRF_TEMP->T3 = NRF_FICR->TEMP.T3;
        NRF_TEMP->T4 = NRF_FICR->TEMP.T4;
    }
    if (eng_a) {
        // Errata 98 (NFCT: not able to communicate with the peer).
        *(volatile uint32_t *)0x4000568Cu = 0x00038148u;
        // Errata 103 (CCM: wrong reset value of MAXPACKETSIZE).
        NRF_CCM->MAXPACKETSIZE = 0xFBu;
        // Errata 115 (RAM: content not trusted after wake-up): trim from FICR.
        *(volatile uint32_t *)0x40000EE4u = (*(volatile uint32_t *)0x40000EE4u & 0xFFFFFFF0u)
            | (*(volatile uint32_t *)0x10000258u & 0x0000000Fu);
        // Errata 120 (QSPI: data read or written is corrupted).
        *(volatile uint32_t *)0x40029640u = 0x200u;
    }
    // Errata 136 (System: bits in RESETREAS are set when they should not be).
    if (is_52840 && (NRF_POWER->RESETREAS & POWER_RESETREAS_RESETPIN_Msk)) {
        NRF_POWER->RESETREAS = ~POWER_RESETREAS_RESETPIN_Msk;
    }
    // Errata 182 (RADIO: fixes for anomalies 102, 106 and 107), later revisions.
    if (is_52840 && !eng_a) {
        *(volatile uint32_t *)0x4000173Cu |= 0x200u;
    }

    // FPU on (CP10, CP11 full access), then our own vector table.
    SCB->CPACR |= (3UL << 20) | (3UL << 22);
    __DSB();
    __ISB();
    SCB->VTOR = NRF_APP_START;
}
