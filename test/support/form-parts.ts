/**
 * A multipart/form-data body as the fake peers read it (Slack's upload URL, Discord's message create with
 * files): its text fields and its file parts with their bytes, parsed by Node's own fetch Response.
 */

export interface FormFile {
  /** The form field, e.g. `files[0]`. */
  field: string;
  /** The part's file name. */
  name: string;
  /** The part's content type ('' when it gave none). */
  type: string;
  data: Buffer;
}

export interface FormParts {
  fields: Map<string, string>;
  files: FormFile[];
}

export function isMultipart(contentType: string | undefined): boolean {
  return (contentType ?? '').toLowerCase().startsWith('multipart/form-data');
}

export async function readForm(body: Buffer, contentType: string): Promise<FormParts> {
  const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  const fields = new Map<string, string>();
  const files: FormFile[] = [];
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') fields.set(field, value);
    else
      files.push({ field, name: value.name, type: value.type, data: Buffer.from(await value.arrayBuffer()) });
  }
  return { fields, files };
}
