// A list that stays smooth at coalition size (2,500 organizations, 10,000 people): only the
// rows in view are in the page (TanStack Virtual), each measured as it renders.
import { useRef, type ReactNode } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";

export function VirtualList<T>({
  items,
  rowKey,
  renderRow,
  label,
  testId,
  empty,
}: {
  items: T[];
  rowKey: (item: T) => string;
  renderRow: (item: T) => ReactNode;
  label: string;
  testId?: string;
  /** What to say when there is nothing to list. */
  empty?: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 44,
    overscan: 8,
    getItemKey: (i) => rowKey(items[i]),
  });
  if (items.length === 0 && empty) return <p className="muted">{empty}</p>;
  return (
    // As tall as its rows, up to a screenful: a short list leaves no empty box below it.
    <div
      ref={scroller}
      className="virtual"
      style={{ blockSize: `min(28rem, ${virtual.getTotalSize() + 2}px)` }}
      tabIndex={0}
      aria-label={label}
      data-testid={testId}
      role="region"
    >
      <ul className="plain" style={{ blockSize: virtual.getTotalSize(), position: "relative", margin: 0 }} aria-label={label}>
        {virtual.getVirtualItems().map((row) => (
          <li
            key={row.key}
            data-index={row.index}
            ref={virtual.measureElement}
            className="virtual-row"
            style={{ position: "absolute", insetInlineStart: 0, insetInlineEnd: 0, insetBlockStart: row.start }}
            aria-setsize={items.length}
            aria-posinset={row.index + 1}
          >
            {renderRow(items[row.index])}
          </li>
        ))}
      </ul>
    </div>
  );
}
