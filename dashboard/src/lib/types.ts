export interface Sandbox {
  id: string;
  status: 'starting' | 'running' | 'pausing' | 'paused' | 'resuming' | 'stopping' | 'stopped' | 'error' | 'unknown';
  status_reason?: string | null;
  template: string;
  template_id: string;
  host_id?: string | null;
  vcpus: number;
  memory_mb: number;
  disk_size_mb: number;
  timeout_s: number;
  env_keys: string[];
  metadata: Record<string, string>;
  boot_ms?: number | null;
  created_at: string;
  started_at?: string | null;
  expires_at?: string | null;
  stopped_at?: string | null;
  paused_at?: string | null;
  on_timeout?: 'destroy' | 'pause';
}

export interface SandboxPage { sandboxes: Sandbox[]; next_cursor: string | null }

export interface FileEntry {
  name: string;
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  mode: string;
  owner: string;
  group: string;
  modified_at: string;
  symlink_target?: string | null;
}

export interface Snapshot {
  id: string; name: string; type: 'snapshot' | 'image'; platform: boolean;
  vcpus: number; memory_mb: number; disk_size_mb?: number | null; size_bytes?: number | null; created_at?: string | null;
}

export interface Usage {
  running: number; paused: number; vcpus_reserved: number; memory_mb_reserved: number;
  vcpus_used: number; memory_used_bytes: number;
}
export type UsagePoint = { timestamp: number } & { [K in keyof Usage]: number | null };
export interface UsageStats {
  range: string; start: number; end: number; step_seconds: number;
  current: Usage; peaks: Usage; points: UsagePoint[];
}

export interface Build {
  id: string; name: string; platform: boolean;
  status: 'pending' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  reason?: string | null; current_step: number; total_steps: number; cached_steps: number;
  from?: string | null; recipe?: string | null; created_at: string; finished_at?: string | null; elapsed_ms?: number | null;
}
export interface BuildLogLine { seq: number; step: number; stream: 'stdout' | 'stderr' | 'system'; line: string; at: string }

export interface Member { user_id: string; email: string; name: string; role: 'owner' | 'admin' | 'member'; joined_at: string }
export interface Team { id: string; name: string; role: 'owner' | 'admin' | 'member'; created_at: string }
export interface ApiKey {
  id: string; name: string; prefix: string; created_by: { id: string; email: string } | null;
  created_at: string; last_used_at: string | null;
}
export interface AuditEntry {
  id: string; created_at: string; action: string;
  /** pending: the call is running; lost: the control plane stopped during it (outcome unknown). Both have no status. */
  outcome: 'success' | 'failure' | 'pending' | 'lost'; status: number | null;
  actor: { user_id?: string | null; email?: string | null; api_key_id?: string | null };
  resource: { type: string; id: string } | null; team_id: string | null; client_address: string;
}

export interface Process { pid: number; tag?: string | null; cmd: string; args: string[]; cwd?: string | null }

export interface SandboxEvent {
  at: string; source: 'lifecycle' | 'request'; event: string; detail: string | null;
  outcome: 'success' | 'failure' | null; status: number | null; actor: string | null;
}
export interface SandboxLogs { sandbox_id: string; events: SandboxEvent[] }
export interface SandboxConsole { console: string; truncated: boolean }
export interface LoginProvider { id: string; name: string }

export interface Invitation {
  id: string; email: string; role: 'owner' | 'admin' | 'member';
  created_by: { id: string; email: string } | null; created_at: string; expires_at: string;
}
export interface InvitationCreated extends Invitation { token: string; accept_url: string }
