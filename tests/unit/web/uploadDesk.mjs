// A small desk on a real socket for the web app's file tests (plain JavaScript: the web app's
// type check has no Node types; uploadDesk.d.mts says what it offers).
import { createServer } from 'node:http';

const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** The parts of a multipart/form-data body: each part's field name, file name and bytes. */
function multipartParts(body, contentType) {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType ?? '');
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const part = body.subarray(start + 2, next - 2); // after CRLF, before CRLF
    const headerEnd = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, headerEnd).toString('utf8');
    parts.push({
      field: /name="([^"]*)"/.exec(head)?.[1] ?? '',
      fileName: /filename="([^"]*)"/.exec(head)?.[1] ?? null,
      bytes: new Uint8Array(part.subarray(headerEnd + 4)),
    });
    at = next;
  }
  return parts;
}

/**
 * It serves the image `img-1` only to the guest token `guest-1`, and takes uploads, answering
 * 201 with the attachment, or 413 for a file named `too-big.png`. Every request is recorded.
 */
export function startUploadDesk() {
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const entry = {
        method: req.method,
        url: req.url,
        headers,
        parts: multipartParts(body, req.headers['content-type']),
      };
      received.push(entry);
      if (req.method === 'GET' && req.url === '/api/support/attachments/img-1?disposition=inline') {
        if (req.headers['x-guest-token'] !== 'guest-1') {
          res.writeHead(404, { 'content-type': 'application/problem+json' });
          return void res.end(JSON.stringify({ title: 'Not found', status: 404 }));
        }
        res.writeHead(200, { 'content-type': 'image/png' });
        return void res.end(png);
      }
      if (req.method === 'POST' && req.url === '/api/support/attachments') {
        const file = entry.parts.find((p) => p.field === 'file');
        if (file?.fileName === 'too-big.png') {
          res.writeHead(413, { 'content-type': 'application/problem+json' });
          return void res.end(
            JSON.stringify({
              title: 'Attachment too large',
              status: 413,
              code: 'attachment_too_large',
              detail: 'This file is larger than 25 MB, the most a file may be.',
            }),
          );
        }
        res.writeHead(201, { 'content-type': 'application/json' });
        return void res.end(
          JSON.stringify({
            attachments: [
              {
                attachmentId: 'att-1',
                fileName: file?.fileName ?? '',
                sizeBytes: file?.bytes.length ?? 0,
                mediaType: 'image/png',
                url: '/api/support/attachments/att-1',
              },
            ],
          }),
        );
      }
      res.writeHead(404);
      res.end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        origin: `http://127.0.0.1:${server.address().port}`,
        received,
        png: new Uint8Array(png),
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}
