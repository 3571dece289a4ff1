import type pg from 'pg';

export interface Assignment {
  assignmentId: string;
  reference: string;
  title: string;
  partnerOrgId: string;
  updatedAt: string;
}

interface Row {
  assignment_id: string;
  reference: string;
  title: string;
  partner_org_id: string;
  updated_at: Date;
}

const toAssignment = (r: Row): Assignment => ({
  assignmentId: r.assignment_id,
  reference: r.reference,
  title: r.title,
  partnerOrgId: r.partner_org_id,
  updatedAt: r.updated_at.toISOString(),
});

/** The host platform's assignments: who owns which work order, and how people refer to it. */
export class AssignmentDirectory {
  constructor(private readonly pool: pg.Pool) {}

  async upsert(a: Omit<Assignment, 'updatedAt'>): Promise<{ assignment: Assignment; created: boolean }> {
    const { rows } = await this.pool.query<Row & { created: boolean }>(
      `INSERT INTO assignment_directory (assignment_id, reference, title, partner_org_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (assignment_id) DO UPDATE SET reference = EXCLUDED.reference, title = EXCLUDED.title,
         partner_org_id = EXCLUDED.partner_org_id, updated_at = now()
       RETURNING *, (xmax = 0) AS created`,
      [a.assignmentId, a.reference, a.title, a.partnerOrgId],
    );
    const row = rows[0]!;
    return { assignment: toAssignment(row), created: row.created };
  }

  async find(assignmentId: string): Promise<Assignment | undefined> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM assignment_directory WHERE assignment_id = $1', [
      assignmentId,
    ]);
    return rows[0] ? toAssignment(rows[0]) : undefined;
  }

  async list(filter: { partnerOrgId?: string; limit?: number; after?: string } = {}): Promise<Assignment[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM assignment_directory
        WHERE ($1::text IS NULL OR partner_org_id = $1) AND ($2::text IS NULL OR assignment_id > $2)
        ORDER BY assignment_id LIMIT $3`,
      [filter.partnerOrgId ?? null, filter.after ?? null, filter.limit ?? 100],
    );
    return rows.map(toAssignment);
  }

  /** Demo data for the embedded default: assignments of the demo partner organisations. */
  async ensureDemoAssignments(): Promise<Assignment[]> {
    const demo = [
      { assignmentId: 'asg-1001', reference: 'A-1001', title: 'Warehouse audit, Rotterdam', partnerOrgId: 'acme' },
      { assignmentId: 'asg-1002', reference: 'A-1002', title: 'Cold-chain delivery, Lyon', partnerOrgId: 'acme' },
      { assignmentId: 'asg-2001', reference: 'G-2001', title: 'Site survey, Leeds', partnerOrgId: 'globex' },
    ];
    const out: Assignment[] = [];
    for (const a of demo) out.push((await this.upsert(a)).assignment);
    return out;
  }
}
