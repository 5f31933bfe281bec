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
}: {
  items: T[];
  rowKey: (item: T) => string;
  renderRow: (item: T) => ReactNode;
  label: string;
  testId?: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 44,
    overscan: 8,
    getItemKey: (i) => rowKey(items[i]),
  });
  return (
    <div ref={scroller} className="virtual" tabIndex={0} aria-label={label} data-testid={testId} role="region">
      <ul className="plain" style={{ blockSize: virtual.getTotalSize(), position: "relative" }} aria-label={label}>
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
