/** Small SVG pictures: spend against budget, and the task graph by dependency depth. */
import type { JSX } from 'preact';
import type { ProjectDetail, Task } from './types';

export function SpendChart({ spend }: { spend: ProjectDetail['spend'] }): JSX.Element {
  const width = 420;
  const height = 140;
  const budget = spend.budget?.amount ?? null;
  const series = spend.series;
  const top = Math.max(budget ?? 0, spend.spent, series.at(-1)?.total ?? 0, 1);
  const y = (value: number) => height - 20 - (value / top) * (height - 40);
  const first = series[0] ? Date.parse(series[0].at) : 0;
  const lastAt = series.at(-1) ? Date.parse(series.at(-1)!.at) : 1;
  const x = (at: string) => 40 + ((Date.parse(at) - first) / Math.max(lastAt - first, 1)) * (width - 60);
  const points = series.map((point) => `${x(point.at).toFixed(1)},${y(point.total).toFixed(1)}`).join(' ');
  const share = budget ? Math.min(spend.spent / budget, 1) : 0;
  return (
    <figure class="spend">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        role="img"
        aria-label="spend against budget"
      >
        <rect x="40" y="4" width={width - 60} height="10" class="bar-bg" />
        <rect
          x="40"
          y="4"
          width={(width - 60) * share}
          height="10"
          class={share >= 0.9 ? 'bar-hot' : 'bar'}
        />
        {budget !== null ? (
          <>
            <line x1="40" x2={width - 20} y1={y(budget)} y2={y(budget)} class="budget-line" />
            <text x="2" y={y(budget) + 4} class="axis">
              budget
            </text>
          </>
        ) : null}
        <line x1="40" x2="40" y1="20" y2={height - 20} class="axis-line" />
        <line x1="40" x2={width - 20} y1={height - 20} y2={height - 20} class="axis-line" />
        {series.length > 1 ? <polyline points={points} class="spend-line" /> : null}
        {series.map((point, index) => (
          <circle key={index} cx={x(point.at)} cy={y(point.total)} r="2.5" class="spend-dot" />
        ))}
      </svg>
      <figcaption>
        {budget !== null ? `Spent ${spend.text}` : spend.text}
        {` · ${series.length} ledger entr${series.length === 1 ? 'y' : 'ies'}`}
      </figcaption>
    </figure>
  );
}

function depths(tasks: Task[]): Map<string, number> {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const depth = new Map<string, number>();
  const visit = (task: Task, seen: Set<string>): number => {
    const known = depth.get(task.id);
    if (known !== undefined) return known;
    if (seen.has(task.id)) return 0;
    seen.add(task.id);
    const deps = task.dependsOn.map((id) => byId.get(id)).filter((t): t is Task => t !== undefined);
    const value = deps.length === 0 ? 0 : Math.max(...deps.map((dep) => visit(dep, seen) + 1));
    depth.set(task.id, value);
    return value;
  };
  for (const task of tasks) visit(task, new Set());
  return depth;
}

/** Why there are no tasks yet, from the project's status. */
const NO_TASKS: Record<string, string> = {
  planning: 'No tasks yet: the plan is being made.',
  awaiting_approval: 'No tasks yet: the plan waits for a TO to approve it.',
};

export function TaskGraph({
  tasks,
  status,
  planningFailed,
}: {
  tasks: Task[];
  status?: string;
  /** Set when planning stopped for a TO: then it says so instead of "being made". */
  planningFailed?: boolean;
}): JSX.Element {
  if (tasks.length === 0) {
    if (planningFailed) return <p class="muted">No tasks: planning failed (see above).</p>;
    return <p class="muted">{NO_TASKS[status ?? ''] ?? 'No tasks.'}</p>;
  }
  const depth = depths(tasks);
  const columns = new Map<number, Task[]>();
  for (const task of tasks) {
    const d = depth.get(task.id) ?? 0;
    columns.set(d, [...(columns.get(d) ?? []), task]);
  }
  const boxW = 150;
  const boxH = 44;
  const gapX = 50;
  const gapY = 16;
  const place = new Map<string, { x: number; y: number }>();
  for (const [d, list] of columns) {
    list.forEach((task, index) =>
      place.set(task.id, { x: 10 + d * (boxW + gapX), y: 10 + index * (boxH + gapY) }),
    );
  }
  const width = 20 + columns.size * (boxW + gapX);
  const height = 20 + Math.max(...[...columns.values()].map((list) => list.length)) * (boxH + gapY);
  return (
    <svg
      class="task-graph"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-label="task graph"
    >
      {tasks.flatMap((task) =>
        task.dependsOn.map((id) => {
          const from = place.get(id);
          const to = place.get(task.id);
          if (!from || !to) return null;
          return (
            <line
              key={`${id}-${task.id}`}
              x1={from.x + boxW}
              y1={from.y + boxH / 2}
              x2={to.x}
              y2={to.y + boxH / 2}
              class="edge"
            />
          );
        }),
      )}
      {tasks.map((task) => {
        const at = place.get(task.id)!;
        return (
          <g
            key={task.id}
            class={`node status-${task.status}`}
            data-task={task.key}
            data-status={task.status}
          >
            <rect x={at.x} y={at.y} width={boxW} height={boxH} rx="6" />
            <text x={at.x + 8} y={at.y + 18}>
              {task.key} · {task.role}
            </text>
            <text x={at.x + 8} y={at.y + 34} class="status-text">
              {task.status}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
