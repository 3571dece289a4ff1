import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

/** The reports page's charts, drawn with recharts in the desk's colours. */

const ACCENT = '#4f46e5';
const GRID = '#e4e7ec';
const AXIS = { fontSize: 12, fill: '#475467' };

export interface BarDatum {
  name: string;
  threads: number;
}

/** Bars side by side: a distribution of times, or a volume with few groups. */
export function ColumnChart({ data, height = 220 }: { data: BarDatum[]; height?: number }) {
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
        <CartesianGrid stroke={GRID} vertical={false} />
        <XAxis dataKey="name" tick={AXIS} interval={0} tickLine={false} />
        <YAxis allowDecimals={false} tick={AXIS} width={40} tickLine={false} axisLine={false} />
        <Tooltip cursor={{ fill: '#eef2ff' }} formatter={(value) => [value, 'Threads']} />
        <Bar dataKey="threads" name="Threads" fill={ACCENT} radius={[4, 4, 0, 0]} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

/** Bars one under the other, for groups with long names (organisations, agents). */
export function RowChart({ data }: { data: BarDatum[] }) {
  const height = Math.max(120, data.length * 30 + 40);
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        <CartesianGrid stroke={GRID} horizontal={false} />
        <XAxis type="number" allowDecimals={false} tick={AXIS} tickLine={false} />
        <YAxis type="category" dataKey="name" tick={AXIS} width={140} tickLine={false} axisLine={false} />
        <Tooltip cursor={{ fill: '#eef2ff' }} formatter={(value) => [value, 'Threads']} />
        <Bar dataKey="threads" name="Threads" fill={ACCENT} radius={[0, 4, 4, 0]} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

export interface BacklogPoint {
  day: string;
  open: number;
}

/** The threads waiting at each day's end. */
export function BacklogChart({ data }: { data: BacklogPoint[] }) {
  return (
    <ResponsiveContainer width="100%" height={240}>
      <AreaChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
        <CartesianGrid stroke={GRID} vertical={false} />
        <XAxis dataKey="day" tick={AXIS} tickLine={false} minTickGap={24} />
        <YAxis allowDecimals={false} tick={AXIS} width={40} tickLine={false} axisLine={false} />
        <Tooltip formatter={(value) => [value, 'Waiting']} />
        <Area
          type="linear"
          dataKey="open"
          name="Waiting"
          stroke={ACCENT}
          fill="#eef2ff"
          strokeWidth={2}
          isAnimationActive={false}
        />
      </AreaChart>
    </ResponsiveContainer>
  );
}

export interface OutcomeBar {
  name: string;
  met: number;
  missed: number;
  breached: number;
  open: number;
}

/** Each target's outcomes stacked: met, missed, past due and still running. */
export function OutcomeChart({ data }: { data: OutcomeBar[] }) {
  const stack = [
    { key: 'met', name: 'Met', fill: '#067647' },
    { key: 'missed', name: 'Missed', fill: '#b42318' },
    { key: 'breached', name: 'Past due, not done', fill: '#f97066' },
    { key: 'open', name: 'Running, in time', fill: '#98a2b3' },
  ];
  return (
    <ResponsiveContainer width="100%" height={240}>
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
        <CartesianGrid stroke={GRID} vertical={false} />
        <XAxis dataKey="name" tick={AXIS} tickLine={false} />
        <YAxis allowDecimals={false} tick={AXIS} width={40} tickLine={false} axisLine={false} />
        <Tooltip cursor={{ fill: '#eef2ff' }} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {stack.map((s) => (
          <Bar key={s.key} dataKey={s.key} name={s.name} stackId="outcome" fill={s.fill} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
