/**
 * An Element Timing entry (`PerformanceObserver` type 'element') with the PaintTimingMixin's times
 * (Chromium 144+), which TypeScript's DOM types do not have yet. A type only: the page functions
 * the benches hand to Playwright are serialised on their own and cannot import anything at run time.
 */
export type ElementTimingEntry = PerformanceEntry & {
  /** The element's `elementtiming` attribute. */
  identifier: string;
  /** The rendering phase of the frame that first painted it was done: painting starts (page ms). */
  paintTime: number;
  /** That frame on the display (page ms; the browser coarsens it). */
  presentationTime: number;
};
