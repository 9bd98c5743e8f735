/**
 * The scripted model of the seed scenario (a daily 07:00 email of the client's Pocket articles), for the
 * fake LLM server's `respond`. It answers every request from what the request carries, the way a model
 * would, never from a count of calls:
 *   - intake (`intake_turn` structured output): scripted-intake-model.ts reads the client's last turn;
 *   - planning (`project_plan`): a plan built from the brief items in the data message — an Apollo task on
 *     the Pocket API at getpocket.com, an Aphrodite task for the email, an Athena task verifying every
 *     item, a Hephaestus task deploying and scheduling the daily send — each listing the items it covers;
 *   - agents (requests that offer tools): the task is read from the opening user message; a task whose text
 *     names Pocket first asks for the Pocket credential (`request_credential`) unless the history already
 *     holds that call, then writes its file (`write_file`) unless it did, then `finish`es with a summary.
 */
import { PLAN_DATA_LABEL } from '../../orchestration/plan/decompose.js';
import type { ScriptedReply, ScriptedToolCall } from './fake-llm-server.js';
import { scriptedIntakeModel } from './scripted-intake-model.js';

type ToolCall = { id?: string; function: { name: string; arguments: string } };
type Message = { role: string; content?: string | null; tool_calls?: ToolCall[]; tool_call_id?: string };

interface BriefItemData {
  id: string;
  kind: 'feature' | 'delivery' | 'schedule';
  text: string;
  required: boolean;
}

interface TaskData {
  key: string;
  title: string;
  spec: string;
  acceptance: string[];
}

const messagesOf = (body: Record<string, unknown>) => (body.messages ?? []) as Message[];

function schemaName(body: Record<string, unknown>): string | undefined {
  return (body.response_format as { json_schema?: { name?: string } } | undefined)?.json_schema?.name;
}

/** Which phase a recorded request belongs to: intake, planning, agents (or other). */
export function phaseOf(body: Record<string, unknown>): 'intake' | 'planning' | 'agents' | 'other' {
  const name = schemaName(body);
  if (name === 'intake_turn') return 'intake';
  if (name === 'project_plan') return 'planning';
  if (Array.isArray(body.tools)) return 'agents';
  return 'other';
}

/** The plan for the brief in the data message. */
function planAnswer(body: Record<string, unknown>): ScriptedReply {
  const data = messagesOf(body).find(
    (message) => message.role === 'system' && message.content?.startsWith(PLAN_DATA_LABEL),
  )?.content;
  if (!data) return { status: 400, error: 'no project data in the planning request' };
  const { project, briefItems } = JSON.parse(data.slice(PLAN_DATA_LABEL.length + 1)) as {
    project: { title: string };
    briefItems: BriefItemData[];
  };
  const ids = (kind: BriefItemData['kind']) =>
    briefItems.filter((item) => item.kind === kind).map((item) => item.id);
  const features = ids('feature');
  const delivery = ids('delivery');
  const schedule = ids('schedule');
  const when = briefItems.find((item) => item.kind === 'schedule')?.text ?? 'on its schedule';
  const plan = {
    summary: `${project.title}: a backend that reads the client's Pocket articles and builds the digest, the email that shows it, QA of both, then a deployment that sends it ${when}.`,
    tasks: [
      {
        key: 'pocket-digest',
        role: 'apollo',
        title: 'Pocket reader and digest builder',
        spec: "Read the client's saved articles from the Pocket API at getpocket.com (POST /v3/get with the Pocket consumer key) and build the digest of the articles saved since the last one.",
        acceptance: ['The digest lists the articles saved since the last digest, newest first'],
        dependsOn: [],
        covers: features,
        deploy: false,
      },
      {
        key: 'digest-email',
        role: 'aphrodite',
        title: 'Digest email template',
        spec: "An HTML and plain-text email listing each Pocket article with its title, excerpt and link; preview it with the client's real articles from the Pocket API at getpocket.com.",
        acceptance: ['The email renders in common mail clients and in plain text'],
        dependsOn: [],
        covers: [...features, ...delivery],
        deploy: false,
      },
      {
        key: 'digest-qa',
        role: 'athena',
        title: 'Verify the digest end to end',
        spec: 'Check the digest against the Pocket API at getpocket.com: the articles fetched are the ones in the email, the email renders, and the send is scheduled as the brief says.',
        acceptance: ['Every must-have feature is verified by a test'],
        dependsOn: ['pocket-digest', 'digest-email'],
        covers: [...features, ...delivery, ...schedule],
        deploy: false,
      },
      {
        key: 'deploy-schedule',
        role: 'hephaestus',
        title: 'Deploy and schedule the daily 07:00 email',
        spec: `Deploy the digest job and schedule it ${when} (cron "0 7 * * *" in the client's time zone) to send the email; the job reads the Pocket consumer key for getpocket.com from the vault.`,
        acceptance: ['The job runs every day at 07:00 and sends the email'],
        dependsOn: ['digest-qa'],
        covers: [...delivery, ...schedule],
        deploy: true,
      },
    ],
  };
  return { content: JSON.stringify(plan), inputTokens: 1500, outputTokens: 600 };
}

/** The task as the opening user message carries it (JSON after "Task (JSON data):"). */
function taskOf(messages: Message[]): TaskData | null {
  const opening = messages.find((message) => message.role === 'user')?.content ?? '';
  const match = /Task \(JSON data\):\n([\s\S]*?)\nResults of the tasks/.exec(opening);
  return match ? (JSON.parse(match[1]!) as TaskData) : null;
}

/** The calls the assistant made so far, with the answers the tools gave. */
function history(messages: Message[]): { name: string; answer: string | null }[] {
  const answers = new Map(
    messages
      .filter((message) => message.role === 'tool')
      .map((message) => [message.tool_call_id, message.content ?? ''] as const),
  );
  return messages.flatMap((message) =>
    (message.tool_calls ?? []).map((call) => ({
      name: call.function.name,
      answer: answers.get(call.id) ?? null,
    })),
  );
}

/** The file an agent writes for its task, by the kind of work its key and title name. */
function fileFor(task: TaskData): { path: string; content: string } {
  const text = `${task.key} ${task.title}`.toLowerCase();
  if (/deploy|schedule/.test(text))
    return {
      path: `deploy/${task.key}.yaml`,
      content: `# ${task.title}\nschedule: "0 7 * * *"\njob: send-digest\nsecrets:\n  - pocket_consumer_key\n`,
    };
  if (/qa|verify|test/.test(text))
    return {
      path: `test/${task.key}.test.ts`,
      content: `// ${task.title}\n${task.acceptance.map((line) => `// checks: ${line}`).join('\n')}\n`,
    };
  if (/email|template|ui|page/.test(text))
    return {
      path: `templates/${task.key}.html`,
      content: `<!-- ${task.title} -->\n<h1>Your Pocket digest</h1>\n<ul>{{#articles}}<li><a href="{{url}}">{{title}}</a></li>{{/articles}}</ul>\n`,
    };
  return {
    path: `src/${task.key}.ts`,
    content: `// ${task.title}\nexport const POCKET_API = 'https://getpocket.com/v3/get';\n`,
  };
}

const call = (name: string, args: Record<string, unknown>): ScriptedReply => ({
  toolCalls: [{ name, arguments: args } satisfies ScriptedToolCall],
  inputTokens: 800,
  outputTokens: 120,
});

/** The next step of an agent, from its task and the tool answers in its history. */
function agentAnswer(body: Record<string, unknown>): ScriptedReply {
  const messages = messagesOf(body);
  const task = taskOf(messages);
  if (!task) return { content: 'I cannot find the task.' };
  const done = history(messages);
  const asked = done.filter((step) => step.name === 'request_credential');
  const needsPocket = /\bpocket\b/i.test(`${task.title} ${task.spec}`);
  const lastAsk = asked.at(-1);
  const refused = lastAsk?.answer?.includes('"error"') === true;
  if (needsPocket && (asked.length === 0 || (refused && asked.length < 2)))
    return call('request_credential', {
      service: 'Pocket',
      name: 'pocket_consumer_key',
      host: 'getpocket.com',
      purpose: "read the client's saved Pocket articles for the daily 07:00 digest email",
    });
  const file = fileFor(task);
  if (!done.some((step) => step.name === 'write_file' && step.answer?.includes('"written"')))
    return call('write_file', file);
  const handle = /"handle":"([^"]+)"/.exec(lastAsk?.answer ?? '')?.[1];
  const credential = handle ? ' with the Pocket consumer key leased to this task' : '';
  return call('finish', {
    summary: `${task.title}: done${credential}; wrote ${file.path}.`,
    artifacts: [{ kind: 'file', ref: file.path }],
  });
}

/** The whole seed model: intake, planning and agents. */
export function seedModel(): (body: Record<string, unknown>) => ScriptedReply | undefined {
  const intake = scriptedIntakeModel();
  return (body) => {
    const phase = phaseOf(body);
    if (phase === 'intake') return intake(body);
    if (phase === 'planning') return planAnswer(body);
    if (phase === 'agents') return agentAnswer(body);
    return undefined;
  };
}
