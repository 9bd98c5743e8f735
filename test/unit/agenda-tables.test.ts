import { describe, expect, test } from '@jest/globals';
import {
  getCreateIndexesSQL,
  getCreateLogsIndexesSQL,
  getCreateLogsTableSQL,
  getCreateTableSQL,
  getUpdateTimestampTriggerSQL,
} from '@agendajs/postgres-backend';
import {
  AGENDA_JOBS_TABLE,
  AGENDA_LOGS_TABLE,
  agendaJobsIndexesAndTrigger,
  agendaJobsTable,
  agendaLogsTable,
} from '../../storage/postgres/agenda-tables.js';

const squash = (sql: string) => sql.replace(/\s+/g, ' ').trim();

describe('job queue tables in the PostgreSQL migrations', () => {
  test('are the schema the installed Agenda backend would create itself', () => {
    expect([agendaJobsTable, ...agendaJobsIndexesAndTrigger].map(squash)).toEqual(
      [
        getCreateTableSQL(AGENDA_JOBS_TABLE),
        ...getCreateIndexesSQL(AGENDA_JOBS_TABLE),
        getUpdateTimestampTriggerSQL(AGENDA_JOBS_TABLE),
      ].map(squash),
    );
    expect(agendaLogsTable.map(squash)).toEqual(
      [getCreateLogsTableSQL(AGENDA_LOGS_TABLE), ...getCreateLogsIndexesSQL(AGENDA_LOGS_TABLE)].map(squash),
    );
  });
});
