// A group's dashboard: recommendations by state at the end of each of the last twelve months,
// and tracked issues by status now. Drawn with Chart.js; the same figures are in a table for
// screen readers and for reading exact numbers.
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Legend,
  LinearScale,
  Tooltip,
} from "chart.js";
import { commands, type Dashboard } from "../api";
import { useLoad } from "../data";
import { direction, intlLocale } from "../i18n";
import { ErrorLine } from "./parts";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, DoughnutController, ArcElement, Legend, Tooltip);

const STATE_COLOURS: Record<string, string> = {
  draft: "#9aa5b1",
  open: "#2f80ed",
  under_review: "#f2a900",
  adopted: "#219653",
  referred: "#9b51e0",
  not_adopted: "#c0392b",
  duplicate: "#7f8c8d",
  follow_up: "#16a085",
  closed: "#34495e",
  withdrawn: "#bdc3c7",
};
const STATUS_COLOURS: Record<string, string> = {
  open: "#2f80ed",
  monitoring: "#9b51e0",
  action_needed: "#f2a900",
  resolved: "#219653",
  archived: "#9aa5b1",
};

function useChart(draw: (canvas: HTMLCanvasElement) => Chart | null, deps: unknown[]) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = draw(canvas.current);
    return () => chart?.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return canvas;
}

export function GroupDashboard({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const data = useLoad(() => commands.groupDashboard({ id }), [id], ["any"]);
  const d: Dashboard | undefined = data.data;
  const rtl = direction(i18n.language) === "rtl";
  const monthLabel = (m: string) =>
    new Intl.DateTimeFormat(intlLocale(i18n.language), { month: "short", year: "2-digit" }).format(new Date(`${m}-15T00:00:00Z`));
  const states = d ? [...new Set(d.recommendations_by_month.flatMap((m) => m.counts.map((c) => c.key)))] : [];
  const colour = getComputedStyle(document.documentElement).getPropertyValue("--fg").trim() || "#1b1f24";

  const recCanvas = useChart(
    (canvas) =>
      d
        ? new Chart(canvas, {
            type: "bar",
            data: {
              labels: d.recommendations_by_month.map((m) => monthLabel(m.month)),
              datasets: states.map((s) => ({
                label: t(`recommendation.states.${s}`),
                backgroundColor: STATE_COLOURS[s] ?? "#888",
                data: d.recommendations_by_month.map((m) => m.counts.find((c) => c.key === s)?.count ?? 0),
              })),
            },
            options: {
              animation: false,
              responsive: true,
              maintainAspectRatio: false,
              locale: intlLocale(i18n.language),
              scales: {
                x: { stacked: true, reverse: rtl, ticks: { color: colour } },
                y: { stacked: true, beginAtZero: true, ticks: { precision: 0, color: colour } },
              },
              plugins: { legend: { rtl, labels: { color: colour } }, tooltip: { rtl } },
            },
          })
        : null,
    [d, i18n.language],
  );
  const issueCanvas = useChart(
    (canvas) =>
      d
        ? new Chart(canvas, {
            type: "doughnut",
            data: {
              labels: d.issues_by_status.map((c) => t(`issue.statuses.${c.key}`)),
              datasets: [
                {
                  data: d.issues_by_status.map((c) => c.count),
                  backgroundColor: d.issues_by_status.map((c) => STATUS_COLOURS[c.key] ?? "#888"),
                },
              ],
            },
            options: {
              animation: false,
              responsive: true,
              maintainAspectRatio: false,
              locale: intlLocale(i18n.language),
              plugins: { legend: { rtl, position: "bottom", labels: { color: colour } }, tooltip: { rtl } },
            },
          })
        : null,
    [d, i18n.language],
  );

  if (data.error) return <ErrorLine error={data.error} />;
  if (!d) return <p className="loading">{t("app.loading")}</p>;
  return (
    <div className="dashboard" data-testid="dashboard">
      <figure>
        <figcaption>{t("dashboard.recommendations")}</figcaption>
        <div className="chart">
          <canvas ref={recCanvas} role="img" aria-label={t("dashboard.recommendations")} />
        </div>
      </figure>
      <figure>
        <figcaption>{t("dashboard.issues")}</figcaption>
        <div className="chart small">
          <canvas ref={issueCanvas} role="img" aria-label={t("dashboard.issues")} />
        </div>
      </figure>
      <details>
        <summary>{t("dashboard.table")}</summary>
        <table className="list">
          <thead>
            <tr>
              <th>{t("dashboard.month")}</th>
              {states.map((s) => (
                <th key={s}>{t(`recommendation.states.${s}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {d.recommendations_by_month.map((m) => (
              <tr key={m.month}>
                <td>{monthLabel(m.month)}</td>
                {states.map((s) => (
                  <td key={s}>{new Intl.NumberFormat(intlLocale(i18n.language)).format(m.counts.find((c) => c.key === s)?.count ?? 0)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
