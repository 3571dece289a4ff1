export interface ReceivedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  parts: { field: string; fileName: string | null; bytes: Uint8Array }[];
}

export interface UploadDesk {
  origin: string;
  received: ReceivedRequest[];
  /** The image it serves (a 1×1 PNG). */
  png: Uint8Array<ArrayBuffer>;
  close(): Promise<void>;
}

export function startUploadDesk(): Promise<UploadDesk>;
